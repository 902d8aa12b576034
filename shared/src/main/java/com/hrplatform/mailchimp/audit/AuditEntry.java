package com.hrplatform.mailchimp.audit;

import java.util.Map;

/** One recorded state change. Details hold ids and counts, never secrets or email addresses. */
public record AuditEntry(String at, String actor, String action, String targetType, String targetId,
                         Map<String, Object> details) {
}
