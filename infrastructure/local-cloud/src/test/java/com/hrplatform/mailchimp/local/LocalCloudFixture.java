package com.hrplatform.mailchimp.local;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;

/**
 * The shared local cloud of end-to-end tests: ONE {@link LocalCloud} per test JVM, on free ports, with
 * in-memory dynalite and the repository's template.yaml, started lazily by the first {@link #get()} and
 * stopped by a JVM shutdown hook. Tokens are signed with the cloud's JWT secret.
 *
 * <p>With {@code -Dlocalcloud.aws=localstack} (the {@code localstack} Maven profile) DynamoDB, SQS and KMS come
 * from a LocalStack container started once per JVM through Testcontainers ({@link LocalStack}); that needs
 * Docker. Otherwise nothing of Testcontainers is loaded and Docker is never contacted.
 *
 * <pre>{@code
 * LocalCloud cloud = LocalCloudFixture.get();
 * HttpRequest.newBuilder(URI.create(cloud.apiUrl() + "/trpc/mailchimp.connection.get"))
 *     .header("Authorization", "Bearer " + LocalCloudFixture.adminToken("org-1"));
 * }</pre>
 */
public final class LocalCloudFixture {

    /** {@code localstack}: serve DynamoDB, SQS and KMS from a LocalStack container; unset: dynalite, ElasticMQ, LocalKms. */
    public static final String AWS_PROPERTY = "localcloud.aws";

    /** System properties with this prefix set a function environment variable (see {@link #environmentOverrides}). */
    public static final String ENV_PREFIX = "localcloud.env.";

    private static LocalCloud cloud;

    private LocalCloudFixture() {
    }

    /** The running cloud, started on first use. */
    public static synchronized LocalCloud get() {
        if (cloud == null) {
            CapturedOutput.install();
            LocalCloudConfig config = LocalCloudConfig.forTests().withEnvironmentOverrides(environmentOverrides());
            String aws = System.getProperty(AWS_PROPERTY, "");
            boolean localStack = aws.equals("localstack");
            if (localStack) {
                config = config.withAwsEndpoint(LocalStack.endpoint());
            } else if (!aws.isEmpty()) {
                throw new IllegalStateException(AWS_PROPERTY + "=" + aws + " is not supported; use localstack or leave it unset");
            }
            LocalCloud started = LocalCloud.start(config);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } finally {
                    if (localStack) {
                        LocalStack.stop(); // after the cloud, whose pollers still talk to it
                    }
                }
            }, "local-cloud-fixture-stop"));
            cloud = started;
        }
        return cloud;
    }

    /**
     * Function environment set for this test JVM: every system property {@code localcloud.env.NAME=value} (the
     * crash-point run uses it for one-window slices and short retry backoffs).
     */
    private static java.util.Map<String, String> environmentOverrides() {
        java.util.Map<String, String> overrides = new java.util.TreeMap<>();
        System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith(ENV_PREFIX))
                .forEach(name -> overrides.put(name.substring(ENV_PREFIX.length()), System.getProperty(name)));
        return overrides;
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

    /**
     * The LocalStack container of the {@code localstack} profile: one per JVM, stopped after the cloud when the
     * JVM ends (Testcontainers' reaper removes it should the JVM die). A nested class, so that the default build never loads it.
     */
    static final class LocalStack {
        /** A pinned tag that runs without an auth token; -Dlocalcloud.localstack.image overrides it. */
        static final String IMAGE = "localstack/localstack:4.4.0";

        private static LocalStackContainer container;

        private LocalStack() {
        }

        static synchronized URI endpoint() {
            if (container == null) {
                if (!DockerClientFactory.instance().isDockerAvailable()) {
                    throw new IllegalStateException("-D" + AWS_PROPERTY + "=localstack (the localstack Maven profile) runs"
                            + " DynamoDB, SQS and KMS in a LocalStack container and needs Docker, which Testcontainers"
                            + " cannot find here. Start Docker, or build without -Plocalstack to use dynalite, ElasticMQ"
                            + " and the in-process KMS.");
                }
                LocalStackContainer started = new LocalStackContainer(DockerImageName.parse(
                        System.getProperty("localcloud.localstack.image", IMAGE)).asCompatibleSubstituteFor("localstack/localstack"))
                        .withServices("dynamodb", "sqs", "kms");
                String token = System.getenv("LOCALSTACK_AUTH_TOKEN");
                if (token != null && !token.isBlank()) {
                    started.withEnv("LOCALSTACK_AUTH_TOKEN", token); // newer images need one
                }
                started.start();
                container = started;
            }
            return container.getEndpoint();
        }

        static synchronized void stop() {
            if (container != null) {
                container.stop();
                container = null;
            }
        }
    }
}
