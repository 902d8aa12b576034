package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.local.kms.LocalKms;
import com.hrplatform.mailchimp.local.template.LocalAddresses;
import com.hrplatform.mailchimp.local.template.LocalTemplate;
import com.hrplatform.mailchimp.local.template.Template;
import com.hrplatform.mailchimp.sandbox.MailchimpSandbox;
import com.sun.net.httpserver.HttpServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughput;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local cloud: everything template.yaml describes, without Docker. dynalite (DynamoDB, a node child
 * process), ElasticMQ (SQS, embedded), {@link LocalKms}, the Mailchimp sandbox, and the template's
 * functions hosted in this JVM behind an API Gateway-like HTTP API, a Lambda Invoke API, schedules,
 * SQS pollers and EventBridge rules.
 *
 * <p>Each function's environment variables (template Globals + function) and the SDK settings
 * ({@code aws.region}, credentials, {@code aws.endpointUrlDynamoDb}, {@code aws.endpointUrlSqs},
 * {@code aws.endpointUrlKms}, {@code aws.endpointUrlEventBridge}) are set as JVM system properties before
 * the handlers are instantiated; {@link #close()} restores the previous values. System properties are
 * JVM-wide, so run one LocalCloud per JVM at a time.
 *
 * <p>With {@link LocalCloudConfig#withAwsEndpoint} (e.g. LocalStack), no dynalite, ElasticMQ or LocalKms is
 * started: the endpoint properties point at that endpoint, the template's tables and queues are created there
 * the same way, and its KMS keys with CreateKey ({@link ExternalKms}), their real ids resolving {@code Ref}.
 */
public final class LocalCloud implements AutoCloseable {

    /** The SDK v2 (2.57.8) system properties naming per-service endpoints, checked by a test. */
    public static final String DYNAMODB_ENDPOINT_PROPERTY = "aws.endpointUrlDynamoDb";
    public static final String SQS_ENDPOINT_PROPERTY = "aws.endpointUrlSqs";
    public static final String KMS_ENDPOINT_PROPERTY = "aws.endpointUrlKms";
    public static final String EVENTBRIDGE_ENDPOINT_PROPERTY = "aws.endpointUrlEventBridge";

    /** The template parameter naming the origin CORS allows: locally, the dashboard server's origin. */
    static final String DASHBOARD_ORIGIN_PARAMETER = "DashboardOrigin";

    private static final AtomicInteger RUNNING = new AtomicInteger();

    private final LocalCloudConfig config;
    private final Deque<AutoCloseable> closers = new ArrayDeque<>();
    private final Map<String, String> savedProperties = new LinkedHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private Path templatePath;
    private LocalTemplate template;
    private Dynalite dynalite;
    private ElasticMq elasticMq;
    private LocalKms kms;
    private URI awsEndpoint;
    private Map<String, KeyMetadata> externalKeys;
    private MailchimpSandbox sandbox;
    private String mailchimpBaseUrl;
    private LocalJwt jwt;
    private LocalAddresses addresses;
    private HttpServer apiHttp;
    private HttpServer invokeHttp;
    private DashboardServer dashboard;
    private Map<String, FunctionHost> functions = Map.of();
    private SqsPollers pollers;
    private Schedules schedules;
    private volatile boolean isClosed;

    private LocalCloud(LocalCloudConfig config) {
        this.config = config;
    }

    /** Starts everything; on failure, whatever started is stopped again before the exception propagates. */
    public static LocalCloud start(LocalCloudConfig config) {
        LocalCloud cloud = new LocalCloud(config);
        try {
            cloud.doStart();
            return cloud;
        } catch (RuntimeException | Error e) {
            cloud.close();
            throw e;
        }
    }

    private void doStart() {
        long t0 = System.nanoTime();
        if (RUNNING.get() > 0) {
            System.out.println("[local-cloud] warning: another LocalCloud runs in this JVM; system properties are JVM-wide");
        }
        templatePath = config.resolvedTemplate().toAbsolutePath().normalize();
        Path infra = config.resolvedInfrastructureDir();
        Template raw = Template.load(templatePath, config.parameterOverrides());
        if (Files.isDirectory(infra.resolve("dashboard"))) {
            // Bound first: its origin is what the API's CORS must allow, unless the caller set one.
            // Its own workers: without an executor the JDK server runs every request on its one dispatcher thread.
            ExecutorService dashboardPool = Executors.newFixedThreadPool(4, daemon("local-dashboard"));
            closers.push(dashboardPool::shutdownNow);
            HttpServer dashboardHttp = Http.bind(config.dashboardPort(), dashboardPool, "dashboard");
            closers.push(() -> dashboardHttp.stop(0));
            dashboard = new DashboardServer(dashboardHttp, infra.resolve("dashboard"));
            if (raw.parameterValues().containsKey(DASHBOARD_ORIGIN_PARAMETER)
                    && !config.parameterOverrides().containsKey(DASHBOARD_ORIGIN_PARAMETER)) {
                Map<String, String> overrides = new LinkedHashMap<>(config.parameterOverrides());
                overrides.put(DASHBOARD_ORIGIN_PARAMETER, dashboard.origin());
                raw = Template.load(templatePath, overrides);
            }
        }
        awsEndpoint = config.awsEndpoint();
        boolean embedded = awsEndpoint == null;
        Path nodeModules = embedded ? NodeModules.ensureInstalled(infra) : null;
        jwt = new LocalJwt(config.jwtSecret());

        ExecutorService starter = Executors.newCachedThreadPool();
        try {
            CompletableFuture<Dynalite> dyn = !embedded ? CompletableFuture.completedFuture(null) : CompletableFuture.supplyAsync(
                    () -> Dynalite.start(nodeModules, config.dynalitePort(), config.dynaliteDataDir(), Duration.ofSeconds(30)), starter);
            CompletableFuture<ElasticMq> mq = !embedded ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.supplyAsync(() -> ElasticMq.start(config.elasticMqPort()), starter);
            try {
                if (embedded) {
                    kms = LocalKms.start(config.kmsPort(), config.kmsKeyStore());
                    closers.push(kms);
                }
                sandbox = MailchimpSandbox.start(config.sandboxPort());
                closers.push(sandbox);
                apiHttp = Http.bind(config.apiPort(), null, "API");
                closers.push(() -> apiHttp.stop(0));
                invokeHttp = Http.bind(config.invokePort(), null, "Lambda Invoke API");
                closers.push(() -> invokeHttp.stop(0));
            } finally {
                // register emulators for cleanup even if something above failed
                try {
                    dynalite = dyn.join();
                    if (dynalite != null) {
                        closers.push(dynalite);
                    }
                } finally {
                    elasticMq = mq.join();
                    if (elasticMq != null) {
                        closers.push(elasticMq);
                    }
                }
            }
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        } finally {
            starter.shutdown();
        }

        mailchimpBaseUrl = config.mailchimpBaseUrl() != null ? config.mailchimpBaseUrl() : sandbox.baseUrl();
        addresses = new LocalAddresses(raw, sqsEndpoint(), apiUrl());
        if (embedded) {
            template = LocalTemplate.resolve(raw, addresses);
        } else {
            try (KmsClient kmsClient = kmsClient()) {
                externalKeys = ExternalKms.ensureKeys(raw, kmsClient);
                template = LocalTemplate.resolve(raw, ExternalKms.addresses(addresses, externalKeys));
                ExternalKms.ensureAliases(template.aliases(), kmsClient);
            }
        }

        createTables();
        Map<String, String> queueUrlsByArn = createQueues();
        if (embedded) {
            for (LocalTemplate.Key k : template.keys()) {
                kms.ensureKey(k.keyId());
            }
            for (LocalTemplate.Alias a : template.aliases()) {
                String target = a.targetKeyId().contains("key/") ? a.targetKeyId().substring(a.targetKeyId().indexOf("key/") + 4) : a.targetKeyId();
                kms.addAlias(a.aliasName(), target);
            }
        }

        setSystemProperties();

        ExecutorService invocations = Executors.newCachedThreadPool(daemon("lambda"));
        closers.push(invocations::shutdownNow);
        Map<String, FunctionHost> hosts = new LinkedHashMap<>();
        ClassLoader loader = Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : LocalCloud.class.getClassLoader();
        for (LocalTemplate.Function f : template.functions().values()) {
            FunctionHost host = new FunctionHost(f, loader, invocations);
            host.warmUp();
            hosts.put(f.logicalId(), host);
        }
        functions = Collections.unmodifiableMap(hosts);

        schedules = new Schedules(functions);
        closers.push(schedules::stop);
        EventRouter events = new EventRouter(functions);
        ExecutorService httpPool = Executors.newFixedThreadPool(16, daemon("local-http"));
        closers.push(httpPool::shutdownNow);
        apiHttp.setExecutor(httpPool);
        invokeHttp.setExecutor(httpPool);
        ApiServer api = new ApiServer(apiHttp, functions, jwt, template.cors(), schedules, events);
        InvokeServer invoke = new InvokeServer(invokeHttp, invocations, functions);
        SqsClient pollerClient = sqsClient();
        closers.push(pollerClient);
        pollers = new SqsPollers(pollerClient, functions, queueUrlsByArn);
        closers.push(pollers::stop);

        api.start();
        invoke.start();
        if (dashboard != null) {
            dashboard.start(apiUrl());
        }
        schedules.start();
        pollers.start();
        RUNNING.incrementAndGet();
        closers.push(RUNNING::decrementAndGet);
        System.out.println("[local-cloud] started " + functions.size() + " functions, " + template.tables().size()
                + " tables, " + template.queues().size() + " queues" + (embedded ? "" : " (DynamoDB, SQS and KMS at " + awsEndpoint + ")")
                + " in " + (System.nanoTime() - t0) / 1_000_000 + "ms");
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private DynamoDbClient dynamoClient() {
        return DynamoDbClient.builder().endpointOverride(URI.create(dynamoEndpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    private SqsClient sqsClient() {
        return SqsClient.builder().endpointOverride(URI.create(sqsEndpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(30)).build()).build();
    }

    private KmsClient kmsClient() {
        return KmsClient.builder().endpointOverride(URI.create(kmsEndpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    private void createTables() {
        try (DynamoDbClient ddb = dynamoClient()) {
            Set<String> existing = new HashSet<>(ddb.listTables().tableNames());
            for (LocalTemplate.Table t : template.tables()) {
                if (existing.contains(t.name())) {
                    continue; // data survives a restart
                }
                ddb.createTable(createTableRequest(t));
            }
            for (LocalTemplate.Table t : template.tables()) {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (ddb.describeTable(b -> b.tableName(t.name())).table().tableStatus() != TableStatus.ACTIVE) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Table " + t.name() + " did not become ACTIVE");
                    }
                    sleep(20);
                }
            }
        } catch (ResourceNotFoundException e) {
            throw new IllegalStateException("dynalite lost a table while starting: " + e.getMessage(), e);
        }
    }

    static CreateTableRequest createTableRequest(LocalTemplate.Table t) {
        JsonNode p = t.properties();
        boolean provisioned = "PROVISIONED".equals(p.path("BillingMode").asText("PAY_PER_REQUEST"));
        CreateTableRequest.Builder b = CreateTableRequest.builder().tableName(t.name())
                .keySchema(keys(p.path("KeySchema")))
                .billingMode(provisioned ? BillingMode.PROVISIONED : BillingMode.PAY_PER_REQUEST);
        List<AttributeDefinition> attrs = new ArrayList<>();
        for (JsonNode a : p.path("AttributeDefinitions")) {
            attrs.add(AttributeDefinition.builder().attributeName(a.path("AttributeName").asText())
                    .attributeType(a.path("AttributeType").asText()).build());
        }
        b.attributeDefinitions(attrs);
        if (provisioned) {
            b.provisionedThroughput(throughput(p.path("ProvisionedThroughput")));
        }
        List<GlobalSecondaryIndex> gsis = new ArrayList<>();
        for (JsonNode g : p.path("GlobalSecondaryIndexes")) {
            GlobalSecondaryIndex.Builder gb = GlobalSecondaryIndex.builder().indexName(g.path("IndexName").asText())
                    .keySchema(keys(g.path("KeySchema"))).projection(projection(g.path("Projection")));
            if (provisioned) {
                gb.provisionedThroughput(throughput(g.path("ProvisionedThroughput")));
            }
            gsis.add(gb.build());
        }
        if (!gsis.isEmpty()) {
            b.globalSecondaryIndexes(gsis);
        }
        List<LocalSecondaryIndex> lsis = new ArrayList<>();
        for (JsonNode l : p.path("LocalSecondaryIndexes")) {
            lsis.add(LocalSecondaryIndex.builder().indexName(l.path("IndexName").asText())
                    .keySchema(keys(l.path("KeySchema"))).projection(projection(l.path("Projection"))).build());
        }
        if (!lsis.isEmpty()) {
            b.localSecondaryIndexes(lsis);
        }
        return b.build();
    }

    private static List<KeySchemaElement> keys(JsonNode schema) {
        List<KeySchemaElement> out = new ArrayList<>();
        for (JsonNode k : schema) {
            out.add(KeySchemaElement.builder().attributeName(k.path("AttributeName").asText()).keyType(k.path("KeyType").asText()).build());
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("A table or index without KeySchema");
        }
        return out;
    }

    private static Projection projection(JsonNode p) {
        Projection.Builder b = Projection.builder().projectionType(p.path("ProjectionType").asText("KEYS_ONLY"));
        List<String> nonKey = new ArrayList<>();
        p.path("NonKeyAttributes").forEach(n -> nonKey.add(n.asText()));
        if (!nonKey.isEmpty()) {
            b.nonKeyAttributes(nonKey);
        }
        return b.build();
    }

    private static ProvisionedThroughput throughput(JsonNode p) {
        return ProvisionedThroughput.builder().readCapacityUnits(p.path("ReadCapacityUnits").asLong(5))
                .writeCapacityUnits(p.path("WriteCapacityUnits").asLong(5)).build();
    }

    private Map<String, String> createQueues() {
        Map<String, String> urlsByArn = new LinkedHashMap<>();
        try (SqsClient sqs = sqsClient()) {
            List<LocalTemplate.Queue> pending = new ArrayList<>(template.queues());
            Set<String> created = new HashSet<>();
            while (!pending.isEmpty()) {
                boolean progress = false;
                for (var it = pending.iterator(); it.hasNext(); ) {
                    LocalTemplate.Queue q = it.next();
                    if (q.deadLetterTargetArn() != null && !created.contains(q.deadLetterTargetArn())) {
                        continue; // its DLQ first
                    }
                    String url = sqs.createQueue(b -> b.queueName(q.name()).attributesWithStrings(q.attributes())).queueUrl();
                    String arn = LocalAddresses.queueArn(q.name());
                    urlsByArn.put(arn, url);
                    created.add(arn);
                    it.remove();
                    progress = true;
                }
                if (!progress) {
                    throw new IllegalStateException("Queues whose dead-letter queue is not a queue of the template: "
                            + pending.stream().map(LocalTemplate.Queue::logicalId).toList());
                }
            }
        }
        return urlsByArn;
    }

    private void setSystemProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        Map<String, String> owner = new LinkedHashMap<>();
        for (LocalTemplate.Function f : template.functions().values()) {
            for (Map.Entry<String, String> e : f.environment().entrySet()) {
                String prev = props.putIfAbsent(e.getKey(), e.getValue());
                if (prev != null && !prev.equals(e.getValue())) {
                    throw new IllegalStateException("Functions " + owner.get(e.getKey()) + " and " + f.logicalId()
                            + " give environment variable " + e.getKey() + " different values; one JVM hosts them all,"
                            + " so each variable must mean the same for every function");
                }
                owner.putIfAbsent(e.getKey(), f.logicalId());
            }
        }
        props.putAll(config.environmentOverrides());
        props.put("MAILCHIMP_BASE_URL", mailchimpBaseUrl);
        props.put("aws.region", LocalAddresses.REGION);
        props.put("AWS_REGION", LocalAddresses.REGION);
        props.put("aws.accessKeyId", "local");
        props.put("aws.secretAccessKey", "local");
        props.put(DYNAMODB_ENDPOINT_PROPERTY, dynamoEndpoint());
        props.put(SQS_ENDPOINT_PROPERTY, sqsEndpoint());
        props.put(KMS_ENDPOINT_PROPERTY, kmsEndpoint());
        props.put(EVENTBRIDGE_ENDPOINT_PROPERTY, apiUrl());
        synchronized (System.getProperties()) {
            for (Map.Entry<String, String> e : props.entrySet()) {
                savedProperties.put(e.getKey(), System.getProperty(e.getKey()));
                System.setProperty(e.getKey(), e.getValue());
            }
        }
        closers.push(this::restoreSystemProperties);
    }

    private void restoreSystemProperties() {
        synchronized (System.getProperties()) {
            savedProperties.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    // ------------------------------------------------------------------ accessors

    /** Base URL of the API (as API Gateway), e.g. {@code http://127.0.0.1:3000}. */
    public String apiUrl() {
        return "http://127.0.0.1:" + apiHttp.getAddress().getPort();
    }

    /** Base URL of the dashboard (an origin of its own, as on a static host), or null without infrastructure/dashboard/. */
    public String dashboardUrl() {
        return dashboard == null ? null : dashboard.origin();
    }

    /** Base URL of the Lambda Invoke API (as {@code sam local start-lambda}). */
    public String invokeUrl() {
        return "http://127.0.0.1:" + invokeHttp.getAddress().getPort();
    }

    /** The sandbox's Marketing API base URL, {@code http://127.0.0.1:<port>/3.0}. */
    public String sandboxUrl() {
        return sandbox.baseUrl();
    }

    /** What the functions use as MAILCHIMP_BASE_URL (the override, else the sandbox). */
    public String mailchimpBaseUrl() {
        return mailchimpBaseUrl;
    }

    /** DynamoDB's endpoint: dynalite, or the external AWS endpoint. */
    public String dynamoEndpoint() {
        return awsEndpoint != null ? awsEndpoint.toString() : dynalite.endpoint();
    }

    /** SQS's endpoint: ElasticMQ, or the external AWS endpoint. */
    public String sqsEndpoint() {
        return awsEndpoint != null ? awsEndpoint.toString() : elasticMq.endpoint();
    }

    /** KMS's endpoint: the local KMS, or the external AWS endpoint. */
    public String kmsEndpoint() {
        return awsEndpoint != null ? awsEndpoint.toString() : kms.endpoint();
    }

    /** The in-process KMS; null when an external AWS endpoint serves KMS. */
    public LocalKms kms() {
        return kms;
    }

    public Path templatePath() {
        return templatePath;
    }

    /** The resolved template the cloud runs. */
    public LocalTemplate template() {
        return template;
    }

    /** Signs and verifies tokens with this cloud's JWT secret. */
    public LocalJwt jwt() {
        return jwt;
    }

    /** URL of a template queue by logical id. */
    public String queueUrl(String logicalId) {
        return addresses.queueUrl(addresses.queueName(logicalId));
    }

    /** Key id of a template key by logical id (derived from it locally; the created key's id on an external endpoint). */
    public String kmsKeyId(String logicalId) {
        if (externalKeys != null) {
            KeyMetadata key = externalKeys.get(logicalId);
            if (key == null) {
                throw new IllegalArgumentException("No AWS::KMS::Key " + logicalId + " in the template");
            }
            return key.keyId();
        }
        return LocalAddresses.keyId(logicalId);
    }

    /** Process ids of the child processes (dynalite and its descendants), for checks. */
    /** CPU nanoseconds the function's invocations used on their own threads so far (0 for an unknown function). */
    public long handlerCpuNanos(String logicalId) {
        FunctionHost host = functions.get(logicalId);
        return host == null ? 0 : host.handlerCpuNanos();
    }

    public List<Long> childProcessIds() {
        List<Long> pids = new ArrayList<>();
        if (dynalite != null) {
            pids.add(dynalite.pid());
            ProcessHandle.of(dynalite.pid()).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        }
        return pids;
    }

    /** Waits until the SQS-triggered functions have nothing left to do; false on timeout. */
    public boolean awaitQueuesIdle(Duration timeout) {
        return pollers.awaitIdle(timeout);
    }

    /** What the last {@link #awaitQueuesIdle} round that found work saw: for the message of a timeout. */
    public String queuesBusyState() {
        return pollers.lastBusy();
    }

    /** Stops pollers, schedules, servers, the sandbox, the KMS, ElasticMQ and dynalite; restores system properties. */
    @Override
    public synchronized void close() {
        if (isClosed) {
            return;
        }
        isClosed = true;
        RuntimeException first = null;
        while (!closers.isEmpty()) {
            try {
                closers.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("Stopping the local cloud: " + e.getMessage(), e);
                }
            }
        }
        closed.countDown();
        if (first != null) {
            throw first;
        }
    }

    // ------------------------------------------------------------------ dev runner

    /**
     * {@code ./mvnw -Plocal}: fixed ports, dynalite data and KMS key material under
     * {@code <repo>/.local-cloud/}, in the foreground until Ctrl-C.
     */
    public static void main(String[] args) throws InterruptedException {
        LocalCloudConfig defaults = LocalCloudConfig.defaults();
        Path repo = defaults.resolvedTemplate().toAbsolutePath().getParent();
        Path state = repo.resolve(".local-cloud");
        LocalCloudConfig config = defaults.withTemplate(defaults.resolvedTemplate())
                .withDynaliteDataDir(state.resolve("dynalite"))
                .withKmsKeyStore(state.resolve("kms-keys.txt"));
        LocalCloud cloud = start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("[local-cloud] stopping...");
            cloud.close();
            System.out.println("[local-cloud] stopped");
        }, "local-cloud-shutdown"));
        // Under `./mvnw -Plocal` this JVM is Maven's child: if Maven goes away (Ctrl-C, kill), go too, so
        // neither this JVM nor dynalite is left behind even when only Maven got the signal.
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.out.println("[local-cloud] parent process " + parent.pid() + " exited");
            System.exit(0);
        }));
        String token = cloud.jwt().token("demo-admin", "demo-org", "admin", Instant.now().plus(Duration.ofDays(365)));
        System.out.println();
        System.out.println("Local cloud is running (Ctrl-C stops everything)");
        System.out.println("  API (HTTP API):       " + cloud.apiUrl() + "/trpc/...");
        System.out.println("  Dashboard:            " + cloud.dashboardUrl() + "/?token=<the token below>");
        System.out.println("  Lambda Invoke API:    " + cloud.invokeUrl() + "/2015-03-31/functions/{FunctionLogicalId}/invocations");
        System.out.println("  Mailchimp sandbox:    " + cloud.sandboxUrl() + "   API key: " + MailchimpSandbox.DEFAULT_API_KEY);
        if (config.mailchimpBaseUrl() != null) {
            System.out.println("  MAILCHIMP_BASE_URL:   " + config.mailchimpBaseUrl() + " (functions call this, not the sandbox)");
        }
        System.out.println("  DynamoDB (dynalite):  " + cloud.dynamoEndpoint() + "   data: " + config.dynaliteDataDir());
        System.out.println("  SQS (ElasticMQ):      " + cloud.sqsEndpoint());
        System.out.println("  KMS (local):          " + cloud.kmsEndpoint());
        System.out.println("  Admin token for org demo-org (valid 365 days):");
        System.out.println("    " + token);
        System.out.println("  Try:");
        System.out.println("    curl -H \"Authorization: Bearer " + token + "\" " + cloud.apiUrl() + "/trpc/mailchimp.connection.get");
        System.out.println();
        cloud.closed.await();
    }
}
