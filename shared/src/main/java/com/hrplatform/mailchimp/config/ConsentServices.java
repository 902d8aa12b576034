package com.hrplatform.mailchimp.config;

import com.hrplatform.mailchimp.aws.AwsClients;
import com.hrplatform.mailchimp.erasure.ErasureJournal;
import com.hrplatform.mailchimp.erasure.ErasureReapplier;
import com.hrplatform.mailchimp.erasure.ErasureService;
import com.hrplatform.mailchimp.preference.ConsentQueue;
import com.hrplatform.mailchimp.preference.ConsentWorker;
import com.hrplatform.mailchimp.preference.Preference;
import com.hrplatform.mailchimp.preference.PreferenceService;
import com.hrplatform.mailchimp.contact.ContactService;
import com.hrplatform.mailchimp.segment.SegmentSyncService;
import com.hrplatform.mailchimp.webhook.MailchimpWebhookService;
import com.hrplatform.mailchimp.webhook.WebhookRegistrar;
import com.hrplatform.mailchimp.webhook.WebhookTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

import static software.amazon.lambda.powertools.logging.argument.StructuredArguments.entry;

/** The composition root of preferences, erasure, the consent queue and the Mailchimp webhook (issue 5). */
public final class ConsentServices {
    private static final Logger LOG = LoggerFactory.getLogger(ConsentServices.class);

    private ConsentServices() {
    }

    public static ConsentQueue consentQueue() {
        return new ConsentQueue(AwsClients.sqs(), Env.required("CONSENT_QUEUE_URL"));
    }

    public static ErasureJournal erasureJournal() {
        return new ErasureJournal(AwsClients.dynamoDb(), Env.required("LOCKS_TABLE"), SyncServices::tombstoneSecret,
                Services.CLOCK);
    }

    public static PreferenceService preferenceService() {
        return new PreferenceService(SyncServices.preferenceRepository(), SyncServices.consentRecorder(),
                SyncServices.contactRepository(), consentQueue(), Services.CLOCK);
    }

    public static ErasureService erasureService() {
        return new ErasureService(SyncServices.tombstones(), erasureJournal(), SyncServices.contactRepository(),
                SyncServices.preferenceRepository(), SyncServices.membershipRepository(), consentQueue(),
                Services.auditLog(), Services.CLOCK);
    }

    public static ConsentWorker consentWorker() {
        return new ConsentWorker(Services.connectionService(), SyncServices.membershipRepository(),
                Services.mailchimpClient(), Services.CLOCK);
    }

    public static WebhookTokens webhookTokens() {
        return new WebhookTokens(AwsClients.dynamoDb(), Env.required("LOCKS_TABLE"), Services.apiKeyCipher(),
                Services.CLOCK);
    }

    public static MailchimpWebhookService mailchimpWebhookService() {
        return new MailchimpWebhookService(webhookTokens(), SyncServices.membershipRepository(),
                SyncServices.consentRecorder(), consentQueue(), Services.auditLog(), Services.CLOCK);
    }

    /** Empty where PUBLIC_API_URL is not configured (only the sync worker registers webhooks). */
    public static Optional<WebhookRegistrar> webhookRegistrar() {
        return Env.optional("PUBLIC_API_URL").map(url -> new WebhookRegistrar(AwsClients.dynamoDb(),
                Env.required("LOCKS_TABLE"), webhookTokens(), Services.connectionService(), Services.mailchimpClient(),
                url, Services.CLOCK));
    }

    /** A contact created by an import or an event takes over a preference stated before it existed. */
    public static ContactService.StatedConsent statedConsent() {
        var preferences = SyncServices.preferenceRepository();
        return (orgId, entityType, entityId) -> preferences.find(orgId, entityType, entityId).map(Preference::status);
    }

    /**
     * Around a sync run: when it starts, the audience's webhook is made sure of (best effort, beside the sync:
     * a failure is logged and the next run tries again); when it ends, erasures made during the run are
     * applied again (failures thrown, so the run's last message is retried).
     */
    public static SegmentSyncService.RunHooks syncRunHooks() {
        ErasureReapplier reapplier = new ErasureReapplier(erasureJournal(), SyncServices.membershipRepository(),
                SyncServices.preferenceRepository(), SyncServices.contactRepository(), consentQueue(), Services.CLOCK);
        Optional<WebhookRegistrar> registrar = webhookRegistrar();
        return new SegmentSyncService.RunHooks() {
            @Override
            public void started(String orgId, String listId, ExecutorService pool) {
                registrar.ifPresent(webhooks -> pool.execute(() -> {
                    try {
                        webhooks.ensureRegistered(orgId, listId);
                    } catch (RuntimeException e) {
                        LOG.warn("Webhook registration failed; the next sync run tries again", entry("orgId", orgId),
                                entry("listId", listId), entry("errorType", e.getClass().getSimpleName()));
                    }
                }));
            }

            @Override
            public void finished(String orgId, String listId, String runStartedAt) {
                reapplier.reapply(orgId, runStartedAt);
            }
        };
    }
}
