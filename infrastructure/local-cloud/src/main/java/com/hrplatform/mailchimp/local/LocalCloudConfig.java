package com.hrplatform.mailchimp.local;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * How to start a {@link LocalCloud}. Ports 0 mean "any free port" (tests); {@code dynaliteDataDir} and
 * {@code kmsKeyStore} null mean "in memory". Immutable; use the {@code with...} methods.
 *
 * @param template           template.yaml to run (null: found by walking up from the working directory at start)
 * @param infrastructureDir  the folder holding package.json/package-lock.json of the Node tools and dashboard/
 * @param mailchimpBaseUrl   overrides MAILCHIMP_BASE_URL for every function; null = the sandbox's URL
 * @param parameterOverrides template parameter values replacing the defaults
 * @param awsEndpoint        one endpoint serving DynamoDB, SQS and KMS (e.g. LocalStack); null = start dynalite,
 *                           ElasticMQ and LocalKms (the ports and data settings of those are then unused)
 * @param environmentOverrides values replacing (or adding) environment variables of every function, as
 *                           {@code sam local invoke --env-vars} does
 * @param dashboardPort      where the dashboard's static files are served: an origin of its own, as on S3/CloudFront
 */
public record LocalCloudConfig(Path template, Path infrastructureDir, int apiPort, int invokePort, int sandboxPort,
                               int dynalitePort, int elasticMqPort, int kmsPort, Path dynaliteDataDir,
                               Path kmsKeyStore, String jwtSecret, String mailchimpBaseUrl,
                               Map<String, String> parameterOverrides, URI awsEndpoint,
                               Map<String, String> environmentOverrides, int dashboardPort) {

    public static final int API_PORT = 3000;
    public static final int INVOKE_PORT = 3001;
    public static final int KMS_PORT = 3002;
    public static final int DASHBOARD_PORT = 3003;
    public static final int SANDBOX_PORT = 3010;
    public static final int DYNALITE_PORT = 8000;
    public static final int ELASTICMQ_PORT = 9324;

    public LocalCloudConfig {
        parameterOverrides = parameterOverrides == null ? Map.of() : Map.copyOf(parameterOverrides);
        environmentOverrides = environmentOverrides == null ? Map.of() : Map.copyOf(environmentOverrides);
        if (jwtSecret == null || jwtSecret.isEmpty()) {
            throw new IllegalArgumentException("jwtSecret must not be empty");
        }
    }

    /**
     * The dev runner's settings: fixed ports, repo-root template.yaml, data in memory (see
     * {@link #withDynaliteDataDir}), JWT secret from LOCAL_JWT_SECRET, MAILCHIMP_BASE_URL from the environment.
     */
    public static LocalCloudConfig defaults() {
        String baseUrl = System.getenv("MAILCHIMP_BASE_URL");
        return new LocalCloudConfig(null, null, API_PORT, INVOKE_PORT, SANDBOX_PORT, DYNALITE_PORT,
                ELASTICMQ_PORT, KMS_PORT, null, null, LocalJwt.secretFromEnvironment(),
                baseUrl == null || baseUrl.isBlank() ? null : baseUrl, Map.of(), null, Map.of(),
                DASHBOARD_PORT);
    }

    /** Like {@link #defaults()} but every port free (0) and no MAILCHIMP_BASE_URL override: for tests. */
    public static LocalCloudConfig forTests() {
        return defaults().withPorts(0, 0, 0, 0, 0, 0).withDashboardPort(0).withMailchimpBaseUrl(null);
    }

    /** Walks up from {@code start} to the first directory holding template.yaml. */
    public static Path findTemplate(Path start) {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            Path t = dir.resolve("template.yaml");
            if (Files.isRegularFile(t)) {
                return t;
            }
        }
        throw new IllegalStateException("No template.yaml found in " + start.toAbsolutePath() + " or above");
    }

    /** {@code template}, else the first template.yaml found walking up from the working directory. */
    public Path resolvedTemplate() {
        return template != null ? template : findTemplate(Path.of(System.getProperty("user.dir")));
    }

    /** The Node tools folder: {@code infrastructureDir}, else infrastructure/ next to the template or above the working dir. */
    public Path resolvedInfrastructureDir() {
        if (infrastructureDir != null) {
            return infrastructureDir;
        }
        for (Path start : new Path[] {resolvedTemplate().toAbsolutePath().getParent(), Path.of(System.getProperty("user.dir"))}) {
            for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve("infrastructure").resolve("package-lock.json"))) {
                    return dir.resolve("infrastructure");
                }
            }
        }
        throw new IllegalStateException("No infrastructure/package-lock.json found near " + resolvedTemplate());
    }

    public LocalCloudConfig withTemplate(Path t) {
        return new LocalCloudConfig(t, infrastructureDir, apiPort, invokePort, sandboxPort, dynalitePort, elasticMqPort,
                kmsPort, dynaliteDataDir, kmsKeyStore, jwtSecret, mailchimpBaseUrl, parameterOverrides, awsEndpoint, environmentOverrides, dashboardPort);
    }

    public LocalCloudConfig withInfrastructureDir(Path d) {
        return new LocalCloudConfig(template, d, apiPort, invokePort, sandboxPort, dynalitePort, elasticMqPort,
                kmsPort, dynaliteDataDir, kmsKeyStore, jwtSecret, mailchimpBaseUrl, parameterOverrides, awsEndpoint, environmentOverrides, dashboardPort);
    }

    /** api, invoke, sandbox, dynalite, elasticmq, kms. */
    public LocalCloudConfig withPorts(int api, int invoke, int sandbox, int dynalite, int elasticMq, int kms) {
        return new LocalCloudConfig(template, infrastructureDir, api, invoke, sandbox, dynalite, elasticMq,
                kms, dynaliteDataDir, kmsKeyStore, jwtSecret, mailchimpBaseUrl, parameterOverrides, awsEndpoint, environmentOverrides, dashboardPort);
    }

    public LocalCloudConfig withDynaliteDataDir(Path d) {
        return new LocalCloudConfig(template, infrastructureDir, apiPort, invokePort, sandboxPort, dynalitePort, elasticMqPort,
                kmsPort, d, kmsKeyStore, jwtSecret, mailchimpBaseUrl, parameterOverrides, awsEndpoint, environmentOverrides, dashboardPort);
    }

    public LocalCloudConfig withKmsKeyStore(Path f) {
        return new LocalCloudConfig(template, infrastructureDir, apiPort, invokePort, sandboxPort, dynalitePort, elasticMqPort,
                kmsPort, dynaliteDataDir, f, jwtSecret, mailchimpBaseUrl, parameterOverrides, awsEndpoint, environmentOverrides, dashboardPort);
    }

    public LocalCloudConfig withJwtSecret(String s) {
        return new LocalCloudConfig(template, infrastructureDir, apiPort, invokePort, sandboxPort, dynalitePort, elasticMqPort,
                kmsPort, dynaliteDataDir, kmsKeyStore, s, mailchimpBaseUrl, parameterOverrides, awsEndpoint, environmentOverrides, dashboardPort);
    }

    public LocalCloudConfig withMailchimpBaseUrl(String url) {
        return new LocalCloudConfig(template, infrastructureDir, apiPort, invokePort, sandboxPort, dynalitePort, elasticMqPort,
                kmsPort, dynaliteDataDir, kmsKeyStore, jwtSecret, url, parameterOverrides, awsEndpoint, environmentOverrides, dashboardPort);
    }

    public LocalCloudConfig withParameterOverrides(Map<String, String> p) {
        return new LocalCloudConfig(template, infrastructureDir, apiPort, invokePort, sandboxPort, dynalitePort, elasticMqPort,
                kmsPort, dynaliteDataDir, kmsKeyStore, jwtSecret, mailchimpBaseUrl, p, awsEndpoint, environmentOverrides, dashboardPort);
    }

    public LocalCloudConfig withEnvironmentOverrides(Map<String, String> e) {
        return new LocalCloudConfig(template, infrastructureDir, apiPort, invokePort, sandboxPort, dynalitePort, elasticMqPort,
                kmsPort, dynaliteDataDir, kmsKeyStore, jwtSecret, mailchimpBaseUrl, parameterOverrides, awsEndpoint, e, dashboardPort);
    }

    public LocalCloudConfig withDashboardPort(int port) {
        return new LocalCloudConfig(template, infrastructureDir, apiPort, invokePort, sandboxPort, dynalitePort, elasticMqPort,
                kmsPort, dynaliteDataDir, kmsKeyStore, jwtSecret, mailchimpBaseUrl, parameterOverrides, awsEndpoint,
                environmentOverrides, port);
    }

    /**
     * Serve DynamoDB, SQS and KMS from {@code endpoint} (e.g. a LocalStack container) instead of starting
     * dynalite, ElasticMQ and LocalKms; null goes back to the embedded emulators.
     */
    public LocalCloudConfig withAwsEndpoint(URI endpoint) {
        return new LocalCloudConfig(template, infrastructureDir, apiPort, invokePort, sandboxPort, dynalitePort, elasticMqPort,
                kmsPort, dynaliteDataDir, kmsKeyStore, jwtSecret, mailchimpBaseUrl, parameterOverrides, endpoint, environmentOverrides, dashboardPort);
    }
}
