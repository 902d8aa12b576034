package com.hrplatform.mailchimp.local;

import com.hrplatform.mailchimp.local.template.LocalAddresses;
import com.hrplatform.mailchimp.local.template.LocalTemplate;
import com.hrplatform.mailchimp.local.template.ResourceAddresses;
import com.hrplatform.mailchimp.local.template.Template;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AlreadyExistsException;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.NotFoundException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The template's KMS keys in an external KMS (LocalStack), where key ids are chosen by the service: each
 * {@code AWS::KMS::Key} is created with CreateKey and tagged with the alias {@code alias/local-cloud/<logicalId>},
 * so a restart against the same endpoint finds the same key again (and old ciphertexts stay readable).
 * {@link #addresses} makes {@code Ref} / {@code Fn::GetAtt} of those keys resolve to the real ids; every
 * other resource resolves as {@link LocalAddresses} says.
 */
final class ExternalKms {

    static final String ALIAS_PREFIX = "alias/local-cloud/";

    private ExternalKms() {
    }

    /** The key of every {@code AWS::KMS::Key} of the template by logical id, created when missing. */
    static Map<String, KeyMetadata> ensureKeys(Template raw, KmsClient kms) {
        Map<String, KeyMetadata> keys = new LinkedHashMap<>();
        for (Template.Resource r : raw.resources().values()) {
            if (!"AWS::KMS::Key".equals(r.type())) {
                continue;
            }
            String alias = ALIAS_PREFIX + r.logicalId();
            KeyMetadata key;
            try {
                key = kms.describeKey(b -> b.keyId(alias)).keyMetadata();
            } catch (NotFoundException e) {
                String description = r.properties().path("Description").isTextual()
                        ? r.properties().path("Description").asText() : r.logicalId();
                key = kms.createKey(b -> b.description(description)).keyMetadata(); // symmetric ENCRYPT_DECRYPT
                String keyId = key.keyId();
                kms.createAlias(b -> b.aliasName(alias).targetKeyId(keyId));
            }
            keys.put(r.logicalId(), key);
        }
        return keys;
    }

    /** Creates (or re-points) the template's {@code AWS::KMS::Alias} resources. */
    static void ensureAliases(Iterable<LocalTemplate.Alias> aliases, KmsClient kms) {
        for (LocalTemplate.Alias a : aliases) {
            try {
                kms.createAlias(b -> b.aliasName(a.aliasName()).targetKeyId(a.targetKeyId()));
            } catch (AlreadyExistsException e) {
                kms.updateAlias(b -> b.aliasName(a.aliasName()).targetKeyId(a.targetKeyId()));
            }
        }
    }

    /** {@code local}, except that the given keys resolve to their real id and ARN. */
    static ResourceAddresses addresses(LocalAddresses local, Map<String, KeyMetadata> keys) {
        return new ResourceAddresses() {
            @Override
            public String region() {
                return local.region();
            }

            @Override
            public String accountId() {
                return local.accountId();
            }

            @Override
            public String ref(String logicalId, String type) {
                return "AWS::KMS::Key".equals(type) ? key(logicalId).keyId() : local.ref(logicalId, type);
            }

            @Override
            public String getAtt(String logicalId, String type, String attribute) {
                if ("AWS::KMS::Key".equals(type) && "Arn".equals(attribute)) {
                    return key(logicalId).arn();
                }
                if ("AWS::KMS::Key".equals(type) && "KeyId".equals(attribute)) {
                    return key(logicalId).keyId();
                }
                return local.getAtt(logicalId, type, attribute);
            }

            private KeyMetadata key(String logicalId) {
                KeyMetadata k = keys.get(logicalId);
                if (k == null) {
                    throw new IllegalStateException("No KMS key created for " + logicalId);
                }
                return k;
            }
        };
    }
}
