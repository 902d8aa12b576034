package com.hrplatform.mailchimp.local.testfunctions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

import java.util.concurrent.ConcurrentLinkedDeque;

/** Test function behind an EventBridge rule. */
public class ContactEventsHandler implements RequestHandler<ScheduledEvent, Void> {

    public static final ConcurrentLinkedDeque<ScheduledEvent> EVENTS = new ConcurrentLinkedDeque<>();

    @Override
    public Void handleRequest(ScheduledEvent event, Context context) {
        EVENTS.add(event);
        return null;
    }
}
