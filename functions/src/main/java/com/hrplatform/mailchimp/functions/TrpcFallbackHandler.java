package com.hrplatform.mailchimp.functions;

import com.hrplatform.mailchimp.api.Role;
import com.hrplatform.mailchimp.api.TrpcException;
import com.hrplatform.mailchimp.api.TrpcHandler;
import com.hrplatform.mailchimp.api.TrpcRouter;

import java.util.List;

/**
 * Behind the {@code GET|POST /trpc/{proxy+}} routes: every request no other route serves. Routes name their method
 * (so that CORS preflights stay with the API), so a procedure asked with the wrong method lands here too: it gets
 * tRPC's METHOD_NOT_SUPPORTED, and an unknown path NOT_FOUND, after the same identity check as every procedure.
 * The catalogue below is checked against template.yaml's routes by FallbackCatalogueTest.
 */
public class TrpcFallbackHandler extends TrpcHandler {
    public static final List<String> QUERIES = List.of("mailchimp.connection.get", "mailchimp.connection.listAudiences",
            "mailchimp.audit.list", "mailchimp.campaigns.list", "mailchimp.campaigns.get", "mailchimp.campaigns.recent",
            "mailchimp.contacts.list",
            "mailchimp.segments.list", "mailchimp.segments.get", "mailchimp.segments.preview", "mailchimp.segments.runs",
            "mailchimp.segments.runIssues", "mailchimp.segments.getMapping",
            "mailchimp.preferences.getForEntity",
            "mailchimp.preferences.list", "mailchimp.connection.marketingPermissions",
            "mailchimp.connection.getMapping", "mailchimp.connection.audienceMergeFields");
    public static final List<String> MUTATIONS = List.of("mailchimp.connection.connect", "mailchimp.connection.disconnect",
            "mailchimp.campaigns.trackCampaign", "mailchimp.campaigns.refreshStats", "mailchimp.contacts.import",
            "mailchimp.segments.create", "mailchimp.segments.update", "mailchimp.segments.delete",
            "mailchimp.segments.sync", "mailchimp.preferences.updateOptStatus", "mailchimp.preferences.gdprDelete",
            "mailchimp.connection.setEmailPermission", "mailchimp.connection.setMapping", "mailchimp.segments.setMapping");

    public TrpcFallbackHandler() {
        super(catalogue(), null);
    }

    /** Every procedure with its type; reached with the right method only if its own route were missing. */
    static TrpcRouter catalogue() {
        TrpcRouter router = new TrpcRouter();
        QUERIES.forEach(path -> router.query(path, Role.MEMBER, (identity, input) -> {
            throw TrpcException.notFound("No procedure found on path \"" + path + "\"");
        }));
        MUTATIONS.forEach(path -> router.mutation(path, Role.MEMBER, (identity, input) -> {
            throw TrpcException.notFound("No procedure found on path \"" + path + "\"");
        }));
        return router;
    }
}
