package com.hrplatform.mailchimp.functions;

import com.hrplatform.mailchimp.api.Input;
import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.api.Role;
import com.hrplatform.mailchimp.api.TrpcHandler;
import com.hrplatform.mailchimp.api.TrpcRouter;
import com.hrplatform.mailchimp.config.Services;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactValidator;
import com.hrplatform.mailchimp.erasure.ErasureService;
import com.hrplatform.mailchimp.preference.Preference;
import com.hrplatform.mailchimp.preference.PreferenceService;

import java.util.List;
import java.util.Set;

/** {@code mailchimp.preferences.*}: email preferences (GDPR consent) of the caller's org, and erasure. */
public class PreferencesApiHandler extends TrpcHandler {
    private static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile("^\\s*[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s.]{2,}\\s*$");
    static final int MAX_SOURCE = 100;
    private static final Set<String> ENTITY_TYPES = Set.of(Contact.EMPLOYEE, Contact.VENDOR);
    private static final Set<String> STATUSES = Set.of(Preference.OPTED_IN, Preference.OPTED_OUT);

    public PreferencesApiHandler() {
        this(Services.preferenceService(), Services.erasureService());
    }

    public PreferencesApiHandler(PreferenceService preferences, ErasureService erasure) {
        super(routes(preferences, erasure), "mailchimp.preferences.list");
    }

    /** api.md's Preference, without the history (list and updateOptStatus). */
    record PreferenceView(String entityId, String entityType, String status, String consentGivenAt,
                          String consentWithdrawnAt, String consentSource, String updatedAt) {
        static PreferenceView of(Preference p) {
            return new PreferenceView(p.entityId(), p.entityType(), p.status(), p.consentGivenAt(),
                    p.consentWithdrawnAt(), p.consentSource(), p.updatedAt());
        }
    }

    /** getForEntity: the Preference with {@code history}, every change oldest first. */
    record PreferenceWithHistory(String entityId, String entityType, String status, String consentGivenAt,
                                 String consentWithdrawnAt, String consentSource, String updatedAt,
                                 List<Preference.Change> history) {
        static PreferenceWithHistory of(Preference p) {
            return new PreferenceWithHistory(p.entityId(), p.entityType(), p.status(), p.consentGivenAt(),
                    p.consentWithdrawnAt(), p.consentSource(), p.updatedAt(), p.history() == null ? List.of() : p.history());
        }
    }

    static TrpcRouter routes(PreferenceService preferences, ErasureService erasure) {
        return new TrpcRouter()
                .query("mailchimp.preferences.getForEntity", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.of(input);
                    String entityId = reader.requiredMatching("entityId", ContactValidator.ENTITY_ID, ContactValidator.ENTITY_ID_EXPECTATION);
                    String entityType = reader.requiredOneOf("entityType", ENTITY_TYPES);
                    reader.validate();
                    return preferences.getForEntity(identity, entityType, entityId).map(PreferenceWithHistory::of)
                            .orElse(null);
                })
                .query("mailchimp.preferences.list", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.optional(input);
                    PageRequest page = reader.page();
                    String status = reader.optionalOneOf("status", STATUSES).orElse(null);
                    reader.validate();
                    return preferences.list(identity, status, page).map(PreferenceView::of);
                })
                .mutation("mailchimp.preferences.updateOptStatus", Role.MEMBER, (identity, input) -> {
                    Input reader = Input.of(input);
                    String entityId = reader.requiredMatching("entityId", ContactValidator.ENTITY_ID, ContactValidator.ENTITY_ID_EXPECTATION);
                    String entityType = reader.requiredOneOf("entityType", ENTITY_TYPES);
                    boolean optedIn = reader.requiredBoolean("optedIn");
                    String source = reader.requiredString("source", MAX_SOURCE);
                    reader.validate();
                    return PreferenceView.of(preferences.updateOptStatus(identity, entityType, entityId, optedIn, source));
                })
                .mutation("mailchimp.preferences.gdprDelete", Role.ADMIN, (identity, input) -> {
                    // By person ({entityId, entityType}, also one who left the directory) or by address ({email}).
                    Input reader = Input.of(input);
                    if (reader.optionalNode("email").isPresent()) {
                        String email = reader.requiredMatching("email", ADDRESS, "an email address");
                        if (reader.optionalNode("entityId").isPresent() || reader.optionalNode("entityType").isPresent()) {
                            reader.problem("email", "give either email or entityId and entityType, not both");
                        }
                        reader.validate();
                        return erasure.eraseAddress(identity, email);
                    }
                    String entityId = reader.requiredMatching("entityId", ContactValidator.ENTITY_ID, ContactValidator.ENTITY_ID_EXPECTATION);
                    String entityType = reader.requiredOneOf("entityType", ENTITY_TYPES);
                    reader.validate();
                    return erasure.erase(identity, entityType, entityId);
                });
    }
}
