package com.hrplatform.mailchimp.events;

/** The port events leave by. Publishing either succeeds or throws, so the caller's retry publishes again. */
public interface PlatformEvents {
    void publish(PlatformEvent event);
}
