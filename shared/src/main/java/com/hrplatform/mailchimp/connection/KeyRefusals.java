package com.hrplatform.mailchimp.connection;

import com.hrplatform.mailchimp.domain.Timestamps;
import com.hrplatform.mailchimp.events.PlatformEvent;
import com.hrplatform.mailchimp.events.PlatformEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/** Mailchimp refused an org's API key: the platform hears that the connection broke (once per connection). */
public final class KeyRefusals {
    private static final Logger LOG = LoggerFactory.getLogger(KeyRefusals.class);

    private final ConnectionRepository connections;
    private final PlatformEvents events;
    private final Clock clock;

    public KeyRefusals(ConnectionRepository connections, PlatformEvents events, Clock clock) {
        this.connections = connections;
        this.events = events;
        this.clock = clock;
    }

    /**
     * @param detectedBy what saw the refusal ({@code sync}, {@code campaignStatsRefresh})
     * @throws RuntimeException when the event could not be put: the caller's retry tells again
     */
    public void refused(String orgId, String detectedBy) {
        connections.find(orgId).filter(StoredConnection::isConnected).ifPresent(connection -> {
            events.publish(PlatformEvent.connectionBroken(orgId, connection.connectedAt(), detectedBy,
                    Timestamps.format(clock.instant())));
            LOG.warn("Mailchimp refused the connected API key", entry("orgId", orgId), entry("detectedBy", detectedBy));
        });
    }
}
