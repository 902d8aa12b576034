package com.hrplatform.mailchimp.config;

import com.hrplatform.mailchimp.aws.AwsClients;
import com.hrplatform.mailchimp.connection.ConnectionRepository;
import com.hrplatform.mailchimp.contact.ContactRepository;
import com.hrplatform.mailchimp.contact.ContactService;
import com.hrplatform.mailchimp.erasure.TombstoneKey;
import com.hrplatform.mailchimp.erasure.Tombstones;
import com.hrplatform.mailchimp.membership.MembershipRepository;
import com.hrplatform.mailchimp.membership.PlacementIntents;
import com.hrplatform.mailchimp.preference.ConsentRecorder;
import com.hrplatform.mailchimp.preference.PreferenceRepository;
import com.hrplatform.mailchimp.segment.ScheduledSyncService;
import com.hrplatform.mailchimp.segment.SegmentRepository;
import com.hrplatform.mailchimp.segment.SegmentService;
import com.hrplatform.mailchimp.segment.SegmentSyncService;
import com.hrplatform.mailchimp.segment.SyncQueue;
import com.hrplatform.mailchimp.segment.SyncSettings;
import software.amazon.lambda.powertools.metrics.MetricsFactory;

import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** The composition root of the directory, segments, sync and consent services (see {@link Services}). */
public final class SyncServices {
    private SyncServices() {
    }

    // Worker threads are daemons: a container's pool must never keep a JVM (or a test run) alive.
    private static final class Pools {
        // Room for a sync's requests in flight plus the calls that run beside them (tag, webhook, opt-outs).
        static final ExecutorService IO = Executors.newFixedThreadPool(
                2 * Math.max(4, SyncSettings.fromEnv().concurrency()) + 2, daemonThreads("mailchimp-io"));
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    public static ExecutorService ioPool() {
        return Pools.IO;
    }

    public static ConnectionRepository connectionRepository() {
        return new ConnectionRepository(AwsClients.dynamoDb(), Env.required("CONNECTIONS_TABLE"));
    }

    public static ContactRepository contactRepository() {
        return new ContactRepository(AwsClients.dynamoDb(), Env.required("CONTACTS_TABLE"));
    }

    public static SegmentRepository segmentRepository() {
        return new SegmentRepository(AwsClients.dynamoDb(), Env.required("SEGMENTS_TABLE"));
    }

    public static MembershipRepository membershipRepository() {
        return new MembershipRepository(AwsClients.dynamoDb(), Env.required("MEMBERSHIPS_TABLE"), Services.CLOCK);
    }

    public static PreferenceRepository preferenceRepository() {
        return new PreferenceRepository(AwsClients.dynamoDb(), Env.required("PREFERENCES_TABLE"));
    }

    public static SyncQueue syncQueue() {
        return new SyncQueue(AwsClients.sqs(), Env.required("SEGMENT_SYNC_QUEUE_URL"));
    }

    // The erasure secret: one DynamoDB read and one KMS Decrypt per container, on first use, shared by the
    // tombstones and the erasure journal.
    private static final class TombstoneSecretHolder {
        static final byte[] SECRET = TombstoneKey.load(AwsClients.dynamoDb(), Env.required("LOCKS_TABLE"), AwsClients.kms(),
                Env.required("API_KEY_KMS_KEY_ID"));
    }

    public static byte[] tombstoneSecret() {
        return TombstoneSecretHolder.SECRET.clone();
    }

    public static Tombstones tombstones() {
        return new Tombstones(AwsClients.dynamoDb(), Env.required("LOCKS_TABLE"), SyncServices::tombstoneSecret);
    }

    public static ConsentRecorder consentRecorder() {
        return new ConsentRecorder(preferenceRepository(), contactRepository(), Services.auditLog(), Services.CLOCK);
    }

    public static ContactService contactService() {
        return new ContactService(contactRepository(), tombstones(), Services.auditLog(), ioPool(), Services.CLOCK,
                ConsentServices.statedConsent());
    }

    public static SegmentService segmentService() {
        return new SegmentService(segmentRepository(), Services.connectionService(), Services.mailchimpClient(),
                syncQueue(), Services.auditLog(), Services.CLOCK, SyncSettings.fromEnv().lease());
    }

    public static SegmentSyncService segmentSyncService() {
        return new SegmentSyncService(segmentRepository(), contactRepository(), membershipRepository(),
                new PlacementIntents(AwsClients.dynamoDb(), Env.required("LOCKS_TABLE"), Services.CLOCK),
                Services.connectionService(), connectionRepository(), Services.mailchimpClient(), syncQueue(),
                consentRecorder(), Services.auditLog(), MetricsFactory.getMetricsInstance(), ioPool(),
                SyncSettings.fromEnv(), Services.CLOCK, ConsentServices.syncRunHooks());
    }

    public static ScheduledSyncService scheduledSyncService() {
        return new ScheduledSyncService(connectionRepository(), segmentRepository(), syncQueue(),
                MetricsFactory.getMetricsInstance(), ioPool(), Services.CLOCK);
    }
}
