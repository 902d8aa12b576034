package com.hrplatform.mailchimp.local.testfunctions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

import java.util.concurrent.ConcurrentLinkedDeque;

/** Test function for schedules and EventBridge rules: records the ScheduledEvent it receives. */
public class ScheduledHandler implements RequestHandler<ScheduledEvent, String> {

    public static final ConcurrentLinkedDeque<ScheduledEvent> EVENTS = new ConcurrentLinkedDeque<>();

    @Override
    public String handleRequest(ScheduledEvent event, Context context) {
        EVENTS.add(event);
        return "fired " + event.getSource();
    }
}
