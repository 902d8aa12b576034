package com.hrplatform.mailchimp.config;

import com.hrplatform.mailchimp.audit.AuditLog;
import com.hrplatform.mailchimp.aws.AwsClients;
import com.hrplatform.mailchimp.aws.DynamoKeyBudget;
import com.hrplatform.mailchimp.aws.EventBridgePlatformEvents;
import com.hrplatform.mailchimp.campaign.CampaignRepository;
import com.hrplatform.mailchimp.campaign.CampaignService;
import com.hrplatform.mailchimp.campaign.CampaignStatsRefreshJob;
import com.hrplatform.mailchimp.campaign.MailchimpCampaigns;
import com.hrplatform.mailchimp.campaign.RefreshPolicy;
import com.hrplatform.mailchimp.connection.ConnectionRepository;
import com.hrplatform.mailchimp.connection.ConnectionService;
import com.hrplatform.mailchimp.connection.KeyRefusals;
import com.hrplatform.mailchimp.contact.ContactRepository;
import com.hrplatform.mailchimp.contact.ContactService;
import com.hrplatform.mailchimp.crypto.KmsApiKeyCipher;
import com.hrplatform.mailchimp.erasure.AddressLedger;
import com.hrplatform.mailchimp.erasure.ConsentJournalTable;
import com.hrplatform.mailchimp.erasure.ErasureJournal;
import com.hrplatform.mailchimp.erasure.ErasureReapplier;
import com.hrplatform.mailchimp.erasure.ErasureRequests;
import com.hrplatform.mailchimp.erasure.ErasureService;
import com.hrplatform.mailchimp.erasure.HashSealer;
import com.hrplatform.mailchimp.erasure.TombstoneKey;
import com.hrplatform.mailchimp.erasure.Tombstones;
import com.hrplatform.mailchimp.events.PlatformEvents;
import com.hrplatform.mailchimp.mailchimp.KeyBudget;
import com.hrplatform.mailchimp.mailchimp.MailchimpClient;
import com.hrplatform.mailchimp.mailchimp.RetryPolicy;
import com.hrplatform.mailchimp.membership.AddressMoves;
import com.hrplatform.mailchimp.membership.MembershipRepository;
import com.hrplatform.mailchimp.membership.PlacementIntents;
import com.hrplatform.mailchimp.preference.ConsentJobs;
import com.hrplatform.mailchimp.preference.ConsentQueue;
import com.hrplatform.mailchimp.preference.ConsentRecorder;
import com.hrplatform.mailchimp.preference.ConsentRequests;
import com.hrplatform.mailchimp.preference.ConsentWorker;
import com.hrplatform.mailchimp.preference.PreferenceRepository;
import com.hrplatform.mailchimp.preference.PreferenceService;
import com.hrplatform.mailchimp.preference.SyncConsentLedger;
import com.hrplatform.mailchimp.segment.ChangeFeed;
import com.hrplatform.mailchimp.segment.PendingChanges;
import com.hrplatform.mailchimp.segment.ScheduledSyncService;
import com.hrplatform.mailchimp.segment.Segment;
import com.hrplatform.mailchimp.segment.SegmentPreviewService;
import com.hrplatform.mailchimp.segment.SegmentRepository;
import com.hrplatform.mailchimp.segment.SegmentRunHistory;
import com.hrplatform.mailchimp.segment.SegmentRunsService;
import com.hrplatform.mailchimp.segment.SegmentService;
import com.hrplatform.mailchimp.segment.SegmentSyncService;
import com.hrplatform.mailchimp.segment.SyncQueue;
import com.hrplatform.mailchimp.segment.SyncRunReport;
import com.hrplatform.mailchimp.segment.SyncSettings;
import com.hrplatform.mailchimp.sync.MailchimpAudiences;
import com.hrplatform.mailchimp.sync.SyncEngine;
import com.hrplatform.mailchimp.sync.SyncPreview;
import com.hrplatform.mailchimp.webhook.MailchimpWebhookService;
import com.hrplatform.mailchimp.webhook.WebhookRegistrar;
import com.hrplatform.mailchimp.webhook.WebhookTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.metrics.MetricsFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/**
 * The composition root: every service a handler's no-arg constructor needs, built from configuration (the
 * environment, or system properties of the same names locally). Tests build services themselves and pass them
 * to the handler's other constructor. Clients and pools are shared per container.
 */
public final class Services {
    /** UTC in whole milliseconds: timestamps the API shows and sort keys built from them stay uniform. */
    public static final Clock CLOCK = Clock.tick(Clock.systemUTC(), Duration.ofMillis(1));
    private static final Logger LOG = LoggerFactory.getLogger(Services.class);

    private Services() {
    }

    // One Mailchimp client per container, so its per-key concurrency bound covers every handler in it; the key
    // budget in the locks table bounds all containers together (MAILCHIMP_KEY_BUDGET slots, 10; 0 turns it off).
    private static final class Shared {
        static final Duration MAILCHIMP_TIMEOUT = Duration.ofSeconds(Env.intValue("MAILCHIMP_TIMEOUT_SECONDS", 10));
        static final int KEY_BUDGET = Env.intValue("MAILCHIMP_KEY_BUDGET", 10);
        static final MailchimpClient MAILCHIMP = new MailchimpClient(Env.optional("MAILCHIMP_BASE_URL").orElse(null),
                MAILCHIMP_TIMEOUT, RetryPolicy.standard(), MailchimpClient.DEFAULT_CONCURRENCY_PER_KEY,
                Env.optional("LOCKS_TABLE").filter(table -> KEY_BUDGET > 0)
                        .<KeyBudget>map(table -> new DynamoKeyBudget(AwsClients::dynamoDb, table, KEY_BUDGET,
                                MAILCHIMP_TIMEOUT, Clock.systemUTC()))
                        .orElse(KeyBudget.UNBOUNDED));
        // Daemon threads: a container's pool must never keep a JVM (or a test run) alive. Room for a run's batches
        // in flight plus the reads that run beside them (the audience's statuses, the webhook).
        static final ExecutorService IO = Executors.newFixedThreadPool(
                2 * Math.max(4, SyncSettings.fromEnv().concurrency()) + 8, daemonThreads("mailchimp-io"));
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    // The erasure secret: one DynamoDB read and one KMS Decrypt per container, on first use; a failure is retried.
    private static final LazyRemote<byte[]> TOMBSTONE_SECRET = new LazyRemote<>("The erasure secret",
            () -> TombstoneKey.load(AwsClients.dynamoDb(), locksTable(), AwsClients.kms(), Env.required("API_KEY_KMS_KEY_ID")),
            3, Duration.ofMillis(200));

    private static byte[] tombstoneSecret() {
        return TOMBSTONE_SECRET.get().clone();
    }

    public static MailchimpClient mailchimpClient() {
        return Shared.MAILCHIMP;
    }

    public static ExecutorService ioPool() {
        return Shared.IO;
    }

    private static String locksTable() {
        return Env.required("LOCKS_TABLE");
    }

    public static AuditLog auditLog() {
        return new AuditLog(AwsClients.dynamoDb(), Env.required("AUDIT_TABLE"),
                Duration.ofDays(Env.intValue("AUDIT_RETENTION_DAYS", 365)), CLOCK);
    }

    public static ConnectionRepository connectionRepository() {
        return new ConnectionRepository(AwsClients.dynamoDb(), Env.required("CONNECTIONS_TABLE"));
    }

    public static ConnectionService connectionService() {
        return new ConnectionService(connectionRepository(), mailchimpClient(),
                new KmsApiKeyCipher(AwsClients::kms, Env.required("API_KEY_KMS_KEY_ID")), auditLog(), CLOCK,
                orgId -> Segment.lastSyncedAt(segmentRepository().listAll(orgId)), ioPool());
    }

    public static CampaignService campaignService() {
        return new CampaignService(campaignRepository(), new MailchimpCampaigns(mailchimpClient()),
                connectionService(), auditLog(), CLOCK);
    }

    /** The refresh job; its post-send window is CAMPAIGN_STATS_POST_SEND_WINDOW_DAYS (default 30). */
    public static CampaignStatsRefreshJob campaignStatsRefreshJob() {
        return new CampaignStatsRefreshJob(campaignRepository(), new MailchimpCampaigns(mailchimpClient()),
                connectionRepository(), connectionService(), auditLog(), keyRefusals(),
                RefreshPolicy.withPostSendWindowDays(Env.intValue("CAMPAIGN_STATS_POST_SEND_WINDOW_DAYS", 30)), CLOCK);
    }

    private static CampaignRepository campaignRepository() {
        return new CampaignRepository(AwsClients.dynamoDb(), Env.required("CAMPAIGNS_TABLE"));
    }

    private static ContactRepository contactRepository() {
        return new ContactRepository(AwsClients.dynamoDb(), Env.required("CONTACTS_TABLE"), AwsClients.dynamoDbDirect());
    }

    private static SegmentRepository segmentRepository() {
        return new SegmentRepository(AwsClients.dynamoDb(), Env.required("SEGMENTS_TABLE"));
    }

    private static MembershipRepository membershipRepository() {
        return new MembershipRepository(AwsClients.dynamoDb(), Env.required("MEMBERSHIPS_TABLE"), CLOCK);
    }

    private static PreferenceRepository preferenceRepository() {
        return new PreferenceRepository(AwsClients.dynamoDb(), Env.required("PREFERENCES_TABLE"));
    }

    public static SyncQueue syncQueue() {
        return new SyncQueue(AwsClients.sqs(), Env.required("SEGMENT_SYNC_QUEUE_URL"));
    }

    public static ConsentQueue consentQueue() {
        return new ConsentQueue(AwsClients.sqs(), Env.required("CONSENT_QUEUE_URL"));
    }

    private static HashSealer sealer() {
        return new HashSealer(Services::tombstoneSecret);
    }

    private static ConsentJournalTable consentJournal() {
        return new ConsentJournalTable(AwsClients.dynamoDb(), locksTable(), sealer(), CLOCK);
    }

    private static ConsentJobs consentJobs() {
        return new ConsentJobs(AwsClients.dynamoDb(), locksTable(), sealer(), CLOCK);
    }

    private static ConsentRequests consentRequests() {
        return new ConsentRequests(consentJobs(), consentQueue(), CLOCK);
    }

    private static AddressMoves addressMoves() {
        return new AddressMoves(AwsClients.dynamoDb(), locksTable(), sealer(), CLOCK);
    }

    private static AddressLedger addressLedger() {
        return new AddressLedger(AwsClients.dynamoDb(), locksTable(), sealer());
    }

    private static ConsentRecorder consentRecorder() {
        return new ConsentRecorder(preferenceRepository(), contactRepository(), consentJournal(), auditLog(), CLOCK);
    }

    private static MailchimpAudiences mailchimpAudiences() {
        return new MailchimpAudiences(mailchimpClient(), ioPool());
    }

    public static ContactService contactService() {
        PreferenceRepository preferences = preferenceRepository();
        ConsentRequests consent = consentRequests();
        return new ContactService(contactRepository(), new Tombstones(AwsClients.dynamoDb(), locksTable(), Services::tombstoneSecret),
                addressLedger(), auditLog(), ioPool(), CLOCK, (orgId, entityType, entityId) -> preferences.find(orgId, entityType, entityId)
                .map(preference -> new ContactService.Stated(preference.status(), preference.updatedAt())),
                consent::unsubscribeEverywhere, addressMoves()::record, changeFeed());
    }

    /** The change path's pending addresses per segment (locks table). */
    private static PendingChanges pendingChanges() {
        return new PendingChanges(AwsClients.dynamoDb(), locksTable(), CLOCK);
    }

    /** Directory changes and opt-ins to the sync worker within minutes (see ChangeFeed). */
    private static ChangeFeed changeFeed() {
        return new ChangeFeed(segmentRepository(), pendingChanges(), syncQueue(), CLOCK, contactRepository()::withAddress,
                ioPool());
    }

    public static SegmentService segmentService() {
        return new SegmentService(segmentRepository(), connectionService(), mailchimpClient(), syncQueue(), auditLog(),
                CLOCK, SyncSettings.fromEnv().lease());
    }

    /**
     * The preview of a segment's sync: the sync's own stores, read only. It walks for SEGMENT_PREVIEW_SECONDS at most
     * (default 20: inside API Gateway's 30 s with room to answer); the function's own deadline may cut it shorter.
     */
    public static SegmentPreviewService segmentPreviewService() {
        SyncPreview preview = new SyncPreview(contactRepository(), membershipRepository(),
                new PlacementIntents(AwsClients.dynamoDb(), locksTable(), CLOCK), addressMoves(),
                SyncSettings.fromEnv().windowSize(), CLOCK);
        return new SegmentPreviewService(segmentRepository(), connectionService(), mailchimpClient(), ioPool(), preview,
                Duration.ofSeconds(Env.intValue("SEGMENT_PREVIEW_SECONDS", 20)), CLOCK);
    }

    /** Each segment's last runs (SEGMENT_RUNS_TABLE), kept RUN_HISTORY_RETENTION_DAYS (default 90) at most. */
    private static SegmentRunHistory segmentRunHistory() {
        return new SegmentRunHistory(AwsClients.dynamoDb(), Env.required("SEGMENT_RUNS_TABLE"),
                Duration.ofDays(Env.intValue("RUN_HISTORY_RETENTION_DAYS", 90)), CLOCK);
    }

    public static SegmentRunsService segmentRunsService() {
        return new SegmentRunsService(segmentRepository(), segmentRunHistory(), contactRepository());
    }

    public static com.hrplatform.mailchimp.mapping.MappingService mappingService() {
        return mappingService(connectionService());
    }

    /** The mappings beside a handler's own connection service (one per container, not two). */
    public static com.hrplatform.mailchimp.mapping.MappingService mappingService(ConnectionService connections) {
        return new com.hrplatform.mailchimp.mapping.MappingService(segmentRepository(), connectionRepository(),
                connections, mailchimpClient(), auditLog(), CLOCK);
    }

    public static SegmentSyncService segmentSyncService() {
        SyncSettings settings = SyncSettings.fromEnv();
        SyncEngine engine = new SyncEngine(mailchimpAudiences(), contactRepository(), membershipRepository(),
                new PlacementIntents(AwsClients.dynamoDb(), locksTable(), CLOCK), consentJournal(),
                new SyncConsentLedger(consentRecorder(), consentRequests()), addressMoves(), ioPool(),
                new SyncEngine.Settings(settings.concurrency(), settings.batchSize(), settings.windowSize()), CLOCK);
        return new SegmentSyncService(segmentRepository(), engine, connectionService(), syncQueue(),
                new SyncRunReport(auditLog(), platformEvents(), MetricsFactory.getMetricsInstance(), segmentRunHistory()), keyRefusals(),
                syncRunHooks(), ioPool(), settings, CLOCK, pendingChanges());
    }

    public static ScheduledSyncService scheduledSyncService() {
        return new ScheduledSyncService(connectionRepository(), segmentRepository(), syncQueue(),
                MetricsFactory.getMetricsInstance(), ioPool(), CLOCK);
    }

    public static PreferenceService preferenceService() {
        return new PreferenceService(preferenceRepository(), consentRecorder(), contactRepository(), consentRequests(),
                changeFeed()::optedIn);
    }

    public static ErasureService erasureService() {
        return new ErasureService(new Tombstones(AwsClients.dynamoDb(), locksTable(), Services::tombstoneSecret),
                new ErasureJournal(AwsClients.dynamoDb(), locksTable()), consentJournal(), addressLedger(), contactRepository(),
                preferenceRepository(), membershipRepository(), consentRequests(), auditLog(),
                new ErasureRequests(AwsClients.dynamoDb(), locksTable(), sealer(), CLOCK), platformEvents(), pendingChanges(),
                CLOCK);
    }

    public static ConsentWorker consentWorker() {
        return new ConsentWorker(connectionService(), membershipRepository(), contactRepository(), mailchimpAudiences(),
                consentJobs(), platformEvents(), CLOCK);
    }

    private static WebhookTokens webhookTokens() {
        return new WebhookTokens(AwsClients.dynamoDb(), locksTable(),
                new KmsApiKeyCipher(AwsClients::kms, Env.required("API_KEY_KMS_KEY_ID")), CLOCK);
    }

    public static MailchimpWebhookService mailchimpWebhookService() {
        return new MailchimpWebhookService(webhookTokens(), membershipRepository(), contactRepository(), consentRecorder(),
                consentRequests(), addressMoves(), auditLog(), platformEvents(), CLOCK);
    }

    private static KeyRefusals keyRefusals() {
        return new KeyRefusals(connectionRepository(), platformEvents(), CLOCK);
    }

    /** Events to the platform's bus (PLATFORM_EVENT_BUS); its client is built on the first event, not at init. */
    public static PlatformEvents platformEvents() {
        return new EventBridgePlatformEvents(AwsClients::eventBridge, Env.required("PLATFORM_EVENT_BUS"));
    }

    /**
     * Around a sync run: when it starts, the audience's webhook is made sure of (best effort, beside the sync: a
     * failure is logged and the next run tries again); when it ends, erasures made during the run are applied again
     * (failures thrown, so the run's last message is retried).
     */
    private static SegmentSyncService.RunHooks syncRunHooks() {
        ErasureReapplier reapplier = new ErasureReapplier(consentJournal(), membershipRepository(), preferenceRepository(),
                contactRepository(), consentRequests(), CLOCK);
        Optional<WebhookRegistrar> registrar = Env.optional("PUBLIC_API_URL").map(url -> new WebhookRegistrar(
                AwsClients.dynamoDb(), locksTable(), webhookTokens(), connectionService(), mailchimpClient(), url, CLOCK));
        return new SegmentSyncService.RunHooks() {
            @Override
            public Future<?> started(String orgId, String listId, ExecutorService pool) {
                return registrar.<Future<?>>map(webhooks -> pool.submit(() -> {
                    try {
                        webhooks.ensureRegistered(orgId, listId);
                    } catch (RuntimeException e) {
                        LOG.warn("Webhook registration failed; the next sync run tries again", entry("orgId", orgId),
                                entry("listId", listId), entry("errorType", e.getClass().getSimpleName()));
                    }
                })).orElseGet(() -> CompletableFuture.completedFuture(null));
            }

            @Override
            public void finished(String orgId, String listId, String runStartedAt) {
                reapplier.reapply(orgId, runStartedAt);
            }
        };
    }
}
