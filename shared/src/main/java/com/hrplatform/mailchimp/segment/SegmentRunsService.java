package com.hrplatform.mailchimp.segment;

import com.hrplatform.mailchimp.api.Identity;
import com.hrplatform.mailchimp.api.Page;
import com.hrplatform.mailchimp.api.PageRequest;
import com.hrplatform.mailchimp.api.Role;
import com.hrplatform.mailchimp.contact.Contact;
import com.hrplatform.mailchimp.contact.ContactRepository;
import com.hrplatform.mailchimp.domain.DomainException;
import com.hrplatform.mailchimp.sync.RunCounts.MemberIssue;
import com.hrplatform.mailchimp.sync.SkipReason;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * {@code mailchimp.segments.runs} and {@code mailchimp.segments.runIssues}: a segment's last runs, and one run's
 * per-member skips and failures. The history holds no address: each row's address is read from the directory now, so
 * an erased or deleted person has none, and a record whose address changed since shows none either (it is not the
 * address the run dealt with). Members see addresses masked ({@code j***@example.com}), admins in full.
 */
public final class SegmentRunsService {
    private final SegmentRepository segments;
    private final SegmentRunHistory history;
    private final ContactRepository contacts;

    public SegmentRunsService(SegmentRepository segments, SegmentRunHistory history, ContactRepository contacts) {
        this.segments = segments;
        this.history = history;
        this.contacts = contacts;
    }

    /**
     * A skip or failure of a run. {@code email} is null when the directory no longer has the person at the address
     * the run saw; {@code entityType}/{@code entityId} null when the address had no record left.
     */
    public record RunIssue(String entityType, String entityId, String email, String kind, String reason, String message) {
    }

    public Page<SegmentRunHistory.StoredRun> runs(Identity identity, String segmentId, PageRequest page) {
        requireSegment(identity.orgId(), segmentId);
        return history.list(identity.orgId(), segmentId, page);
    }

    public Page<RunIssue> runIssues(Identity identity, String segmentId, String runId, String cursor) {
        requireSegment(identity.orgId(), segmentId);
        if (history.find(identity.orgId(), segmentId, runId).isEmpty()) {
            throw new DomainException.NotFound("No run with id " + runId + " in this segment's history");
        }
        SegmentRunHistory.IssuePage page = history.issues(identity.orgId(), segmentId, runId, cursor);
        Map<String, Contact> people = contacts.findAll(identity.orgId(), page.issues().stream()
                .map(MemberIssue::entityKey).filter(Objects::nonNull).toList());
        boolean full = identity.role() == Role.ADMIN;
        List<RunIssue> rows = new ArrayList<>(page.issues().size());
        for (MemberIssue issue : page.issues()) {
            Contact person = issue.entityKey() == null ? null : people.get(issue.entityKey());
            String email = person != null && !person.erased() && person.email() != null && issue.hashPrefix() != null
                    && person.subscriberHash().startsWith(issue.hashPrefix()) ? person.email() : null;
            String entityType = null;
            String entityId = null;
            if (issue.entityKey() != null && issue.entityKey().contains("#")) {
                entityType = issue.entityKey().substring(0, issue.entityKey().indexOf('#'));
                entityId = issue.entityKey().substring(issue.entityKey().indexOf('#') + 1);
            }
            rows.add(new RunIssue(entityType, entityId, email == null ? null : full ? email : mask(email), issue.kind(),
                    issue.reason(), issue.message() != null ? issue.message() : skipText(issue.reason())));
        }
        return new Page<>(rows, page.nextCursor());
    }

    /** {@code jane.doe@example.com} -> {@code j***@example.com}. */
    static String mask(String email) {
        int at = email.lastIndexOf('@');
        if (at <= 0) {
            return "***";
        }
        return email.charAt(0) + "***" + email.substring(at);
    }

    private static String skipText(String wire) {
        try {
            return SkipReason.valueOf(wire.toUpperCase(Locale.ROOT)).text();
        } catch (IllegalArgumentException | NullPointerException e) {
            return null;
        }
    }

    /** The caller's own live segment, else NOT_FOUND (another org's id included). */
    private void requireSegment(String orgId, String segmentId) {
        segments.find(orgId, segmentId).filter(segment -> !segment.isDeleted())
                .orElseThrow(() -> new DomainException.NotFound("No segment with id " + segmentId));
    }
}
