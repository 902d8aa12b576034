package com.hrplatform.mailchimp.aws;

import com.hrplatform.mailchimp.events.PlatformEvent;
import com.hrplatform.mailchimp.events.PlatformEvents;
import com.hrplatform.mailchimp.json.JsonOut;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResultEntry;

import java.util.function.Supplier;

/** {@link PlatformEvents} on an EventBridge bus (PLATFORM_EVENT_BUS); the client is built on the first event. */
public final class EventBridgePlatformEvents implements PlatformEvents {
    private final Supplier<EventBridgeClient> eventBridge;
    private final String busName;

    public EventBridgePlatformEvents(Supplier<EventBridgeClient> eventBridge, String busName) {
        this.eventBridge = eventBridge;
        this.busName = busName;
    }

    @Override
    public void publish(PlatformEvent event) {
        PutEventsRequestEntry entry = PutEventsRequestEntry.builder().eventBusName(busName).source(PlatformEvent.SOURCE)
                .detailType(event.detailType()).detail(JsonOut.write(event.detail())).build();
        var response = eventBridge.get().putEvents(request -> request.entries(entry));
        if (response.failedEntryCount() != null && response.failedEntryCount() > 0) {
            PutEventsResultEntry result = response.entries().isEmpty() ? null : response.entries().get(0);
            // The code and message name the problem, never the detail (which the caller may retry).
            throw new IllegalStateException("EventBridge did not take the " + event.detailType() + " event: "
                    + (result == null ? "no result" : result.errorCode() + " " + result.errorMessage()));
        }
    }
}
