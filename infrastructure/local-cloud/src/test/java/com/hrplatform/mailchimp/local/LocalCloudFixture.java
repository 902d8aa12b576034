package com.hrplatform.mailchimp.local;

import java.time.Duration;
import java.time.Instant;

/**
 * The shared local cloud of end-to-end tests: ONE {@link LocalCloud} per test JVM, on free ports, with
 * in-memory dynalite and the repository's template.yaml, started lazily by the first {@link #get()} and
 * stopped by a JVM shutdown hook. Tokens are signed with the cloud's JWT secret.
 *
 * <pre>{@code
 * LocalCloud cloud = LocalCloudFixture.get();
 * HttpRequest.newBuilder(URI.create(cloud.apiUrl() + "/trpc/mailchimp.connection.get"))
 *     .header("Authorization", "Bearer " + LocalCloudFixture.adminToken("org-1"));
 * }</pre>
 */
public final class LocalCloudFixture {

    private static LocalCloud cloud;

    private LocalCloudFixture() {
    }

    /** The running cloud, started on first use. */
    public static synchronized LocalCloud get() {
        if (cloud == null) {
            CapturedOutput.install();
            LocalCloud started = LocalCloud.start(LocalCloudConfig.forTests());
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "local-cloud-fixture-stop"));
            cloud = started;
        }
        return cloud;
    }

    /** Everything the functions and the runner printed since the cloud started (see {@link CapturedOutput}). */
    public static String output() {
        return CapturedOutput.text();
    }

    /** An admin token for {@code orgId}, valid for an hour (sub "admin-<orgId>"). */
    public static String adminToken(String orgId) {
        return token(orgId, "admin", Instant.now().plus(Duration.ofHours(1)));
    }

    /** A member token for {@code orgId}, valid for an hour (sub "member-<orgId>"). */
    public static String memberToken(String orgId) {
        return token(orgId, "member", Instant.now().plus(Duration.ofHours(1)));
    }

    /** A token for any org, role and expiry (in the past for expired tokens), sub "<role>-<orgId>". */
    public static String token(String orgId, String role, Instant expiresAt) {
        return get().jwt().token(role + "-" + orgId, orgId, role, expiresAt);
    }
}
