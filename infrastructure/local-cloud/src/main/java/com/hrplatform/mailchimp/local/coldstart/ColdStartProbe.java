package com.hrplatform.mailchimp.local.coldstart;

import com.hrplatform.mailchimp.connection.ConnectionRepository;
import com.hrplatform.mailchimp.connection.StoredConnection;
import com.hrplatform.mailchimp.local.LocalCloudConfig;
import com.hrplatform.mailchimp.local.StandaloneDynalite;
import com.hrplatform.mailchimp.local.kms.LocalKms;
import com.hrplatform.mailchimp.local.template.LocalAddresses;
import com.hrplatform.mailchimp.local.template.LocalTemplate;
import com.hrplatform.mailchimp.local.template.Template;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Issue 2, acceptance 8: the cold-start probe. Starts dynalite and a local KMS, creates the tables of
 * template.yaml, stores one connected org, then N times (default 7):
 * <ol>
 *   <li>a fresh JVM ({@link HandlerColdStart}) builds {@code new ConnectionApiHandler()} and serves one
 *       {@code mailchimp.connection.get} event,</li>
 *   <li>a fresh JVM ({@link SdkColdStart}) builds a bare SDK v2 DynamoDbClient and does its first GetItem of
 *       the same item on the minimal classpath (only the SDK modules it needs), and</li>
 *   <li>the same bare GetItem on the deployable jar, to show what the jar alone costs, and the first
 *       {@code getLogger} there ({@link LoggingColdStart}), to show what the logging back-end's start costs,</li>
 * </ol>
 * and, with {@code -Dcoldstart.vsJar=<another build's lambda jar>}, the same handler on that jar (to weigh a change
 * against the build before it, paired run by run); the handler on the deployable jar, with ConnectionFunction's environment from template.yaml (including
 * Globals' JAVA_TOOL_OPTIONS), the SDK pointed at the emulators with AWS_ENDPOINT_URL_*. Prints each run (ms
 * from JVM start to the answer, and the spawn-to-exit wall time), both medians and their ratio (target
 * &lt;= 1.2, issue 12), and where the handler's extra time goes (phases and the classes it loads, by library).
 *
 * <pre>./mvnw -q -Pcold-start -DskipTests -pl infrastructure/local-cloud -am verify</pre>
 * or {@code java -cp <local-cloud classpath> com.hrplatform.mailchimp.local.coldstart.ColdStartProbe [runs] [lambda-jar]}.
 */
public final class ColdStartProbe {
    private static final Pattern LINE = Pattern.compile(
            "COLDSTART kind=(\\w+) jvmStart=(\\d+) main=(\\d+) built=(\\d+) answered=(\\d+) classes=(\\d+) status=(\\d+) body=(.*)");
    private static final double TARGET = 1.2;

    record Run(String kind, long spawnedAt, long jvmStart, long main, long built, long answered, int classes,
               int status, String body, long wallMs, long printed) {
        long fromSpawn() {
            return jvmStart + answered - spawnedAt;
        }
    }

    private ColdStartProbe() { }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : Integer.getInteger("coldstart.runs", 7);
        Path templatePath = LocalCloudConfig.findTemplate(Path.of(System.getProperty("user.dir")));
        Path repo = templatePath.getParent();
        Path lambdaJar = args.length > 1 ? Path.of(args[1]) : findLambdaJar(repo);
        Path probeClasses = Path.of(ColdStartProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String classpath = lambdaJar + File.pathSeparator + probeClasses;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        Template raw = Template.load(templatePath);
        LocalTemplate template = LocalTemplate.resolve(raw, new LocalAddresses(raw, "http://127.0.0.1:9324", "http://127.0.0.1:3000"));
        LocalTemplate.Function function = template.functions().get("ConnectionFunction");
        Objects.requireNonNull(function, "template.yaml has no ConnectionFunction");
        LocalTemplate.Table table = template.tables().stream().filter(t -> t.logicalId().equals("ConnectionsTable"))
                .findFirst().orElseThrow(() -> new IllegalStateException("template.yaml has no ConnectionsTable"));

        System.out.println("Cold-start probe: " + runs + " runs of each; java " + System.getProperty("java.version")
                + " (" + java + "); jar " + repo.relativize(lambdaJar) + " (" + Files.size(lambdaJar) / 1024 + " KiB)");
        try (StandaloneDynalite dynalite = StandaloneDynalite.start(repo.resolve("infrastructure"));
             LocalKms kms = LocalKms.start(0);
             DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(URI.create(dynalite.endpoint()))
                     .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))).build()) {
            for (LocalTemplate.Table each : template.tables()) { // connection.get also reads the segments
                dynalite.createTable(dynamo, each);
            }
            template.keys().forEach(k -> kms.ensureKey(k.keyId()));
            String orgId = "cold-start-" + UUID.randomUUID();
            String now = Instant.now().toString();
            new ConnectionRepository(dynamo, table.name()).save(new StoredConnection(orgId, StoredConnection.CONNECTED,
                    "probe-account", "Cold start probe", "us1", "…abcd-us1", "bm90LWEtcmVhbC1jaXBoZXJ0ZXh0", now,
                    "cold-start-probe", now, null, null));

            Map<String, String> env = new LinkedHashMap<>(function.environment());
            env.put("AWS_REGION", LocalAddresses.REGION);
            env.put("AWS_DEFAULT_REGION", LocalAddresses.REGION);
            env.put("AWS_ACCESS_KEY_ID", "local");
            env.put("AWS_SECRET_ACCESS_KEY", "local");
            env.put("AWS_ENDPOINT_URL_DYNAMODB", dynalite.endpoint());
            env.put("AWS_ENDPOINT_URL_KMS", kms.endpoint());
            env.put("AWS_EMF_ENVIRONMENT", "Local");
            env.put("AWS_LAMBDA_FUNCTION_NAME", "ConnectionFunction");
            env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
            System.out.println("Child environment: JAVA_TOOL_OPTIONS=\"" + env.getOrDefault("JAVA_TOOL_OPTIONS", "")
                    + "\", CONNECTIONS_TABLE=" + env.get("CONNECTIONS_TABLE") + ", AWS_ENDPOINT_URL_DYNAMODB=" + dynalite.endpoint());

            List<String> handlerCmd = List.of(java, "-cp", classpath, HandlerColdStart.class.getName(), orgId);
            // The baseline: a bare GetItem on only the SDK modules it needs (no product jar, so no logging back-end).
            String minimal = minimalSdkClasspath(probeClasses);
            System.out.println("Baseline classpath: " + minimal.split(File.pathSeparator).length + " entries (SDK modules"
                    + " for DynamoDB with url-connection-client, reactive-streams, slf4j-api, the probe's classes)");
            List<String> sdkCmd = List.of(java, "-cp", minimal, SdkColdStart.class.getName(), orgId, table.name());
            List<String> sdkOnJarCmd = List.of(java, "-cp", classpath, SdkColdStart.class.getName(), orgId, table.name());
            List<String> loggingCmd = List.of(java, "-cp", classpath, LoggingColdStart.class.getName());
            String vsJar = System.getProperty("coldstart.vsJar", "").trim();
            List<String> vsCmd = vsJar.isEmpty() || vsJar.startsWith("${") ? null // ${...}: Maven left it unset
                    : List.of(java, "-cp", Path.of(vsJar).toAbsolutePath() + File.pathSeparator + probeClasses,
                    HandlerColdStart.class.getName(), orgId);

            // One unmeasured pair first: the jar and the JDK's files come into the page cache.
            run("handler", handlerCmd, env);
            run("sdk", sdkCmd, env);
            run("sdk", sdkOnJarCmd, env);

            List<Run> handler = new ArrayList<>();
            List<Run> sdk = new ArrayList<>();
            List<Run> sdkOnJar = new ArrayList<>();
            List<Run> logging = new ArrayList<>();
            List<Run> vs = new ArrayList<>();
            System.out.println();
            System.out.printf("%-4s %-8s %9s %9s %9s %9s %9s %9s %8s%n", "run", "kind", "jvm->main", "->built", "->answer",
                    "->printed", "spawn->ans", "wall", "classes");
            for (int i = 1; i <= runs; i++) {
                Run h = run("handler", handlerCmd, env);
                Run s = run("sdk", sdkCmd, env);
                Run j = run("sdk", sdkOnJarCmd, env);
                handler.add(h);
                sdk.add(s);
                sdkOnJar.add(j);
                logging.add(run("logging", loggingCmd, env));
                print(i, h);
                print(i, s);
                print(i, j);
                if (vsCmd != null) {
                    Run v = run("handler", vsCmd, env);
                    vs.add(v);
                    print(i, v);
                }
            }
            double hMedian = median(handler.stream().mapToLong(Run::answered).toArray());
            double sMedian = median(sdk.stream().mapToLong(Run::answered).toArray());
            double hWall = median(handler.stream().mapToLong(Run::wallMs).toArray());
            double sWall = median(sdk.stream().mapToLong(Run::wallMs).toArray());
            double hSpawn = median(handler.stream().mapToLong(Run::fromSpawn).toArray());
            double sSpawn = median(sdk.stream().mapToLong(Run::fromSpawn).toArray());
            double ratio = hMedian / sMedian;
            System.out.println();
            System.out.printf("median JVM start -> answer: handler %.0f ms, bare SDK GetItem %.0f ms, ratio %.2f (target <= %.1f): %s%n",
                    hMedian, sMedian, ratio, TARGET, ratio <= TARGET ? "MET" : "NOT MET");
            double jMedian = median(sdkOnJar.stream().mapToLong(Run::answered).toArray());
            System.out.printf("  (the same bare GetItem on the product's jar: %.0f ms; the handler against it: ratio %.2f)%n",
                    jMedian, hMedian / jMedian);
            System.out.printf("  (the logging back-end's start alone on the product's jar, first getLogger: %.0f ms)%n",
                    median(logging.stream().mapToLong(r -> r.built() - r.main()).toArray()));
            if (vsCmd != null) {
                double vMedian = median(vs.stream().mapToLong(Run::answered).toArray());
                System.out.printf("  (the handler on %s: %.0f ms; this build %+.0f ms against it, ratio %.2f)%n",
                        vsJar, vMedian, hMedian - vMedian, hMedian / vMedian);
            }
            System.out.printf("median spawn -> answer:     handler %.0f ms, bare SDK GetItem %.0f ms, ratio %.2f%n", hSpawn, sSpawn, hSpawn / sSpawn);
            System.out.printf("median process wall time:   handler %.0f ms, bare SDK GetItem %.0f ms, ratio %.2f%n", hWall, sWall, hWall / sWall);
            System.out.printf("median phases (ms from JVM start): handler main %.0f, built %.0f, answered %.0f | sdk main %.0f, built %.0f, answered %.0f%n",
                    median(handler.stream().mapToLong(Run::main).toArray()), median(handler.stream().mapToLong(Run::built).toArray()), hMedian,
                    median(sdk.stream().mapToLong(Run::main).toArray()), median(sdk.stream().mapToLong(Run::built).toArray()), sMedian);

            // Where the extra time goes: the classes each child loads, by library (one extra run of each with -verbose:class).
            Map<String, Integer> hClasses = classesByLibrary(run("handler", withVerboseClass(handlerCmd), env));
            Map<String, Integer> sClasses = classesByLibrary(run("sdk", withVerboseClass(sdkCmd), env));
            System.out.println();
            System.out.println("classes loaded, by library (handler / bare SDK / extra):");
            Map<String, Integer> union = new TreeMap<>(hClasses);
            sClasses.forEach((k, v) -> union.putIfAbsent(k, 0));
            union.keySet().stream()
                    .sorted(Comparator.comparingInt((String k) -> sClasses.getOrDefault(k, 0) - hClasses.getOrDefault(k, 0)))
                    .forEach(k -> System.out.printf("  %-40s %6d %6d %+6d%n", k, hClasses.getOrDefault(k, 0),
                            sClasses.getOrDefault(k, 0), hClasses.getOrDefault(k, 0) - sClasses.getOrDefault(k, 0)));
            if (Boolean.getBoolean("coldstart.failOverTarget") && ratio > TARGET) {
                System.exit(2);
            }
        }
    }

    /** This JVM's SDK jars a DynamoDB GetItem needs (not the other services, nor other HTTP clients), and the probe. */
    private static String minimalSdkClasspath(Path probeClasses) {
        Set<String> otherModules = Set.of("kms", "sqs", "eventbridge", "dynamodb-enhanced", "apache-client",
                "netty-nio-client", "aws-crt-client", "sts", "sso", "ssooidc", "lambda", "s3", "cloudwatch",
                "cloudwatchlogs", "xray", "aws-query-protocol", "aws-xml-protocol");
        List<String> entries = new ArrayList<>();
        entries.add(probeClasses.toString());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String path = entry.replace(File.separatorChar, '/');
            int sdk = path.indexOf("/software/amazon/awssdk/");
            if (sdk >= 0) {
                String module = path.substring(sdk + "/software/amazon/awssdk/".length()).split("/")[0];
                if (!otherModules.contains(module)) {
                    entries.add(entry);
                }
            } else if (path.contains("/org/reactivestreams/") || path.contains("/org/slf4j/slf4j-api/")) {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void print(int i, Run r) {
        System.out.printf("%-4d %-8s %9d %9d %9d %9d %9d %9d %8d%n", i, r.kind(), r.main(), r.built(), r.answered(),
                r.printed(), r.fromSpawn(), r.wallMs(), r.classes());
    }

    private static List<String> withVerboseClass(List<String> cmd) {
        List<String> out = new ArrayList<>(cmd);
        out.add(1, "-Xlog:class+load=info:stdout:uptime");
        return out;
    }

    private static Map<String, Integer> classesByLibrary(Run run) {
        Map<String, Integer> counts = new TreeMap<>();
        Pattern loaded = Pattern.compile("^\\[[^\\]]*\\] ([\\w.$/]+) source: (.*)$");
        for (String line : run.body().split("\n")) {
            Matcher m = loaded.matcher(line);
            if (m.find()) {
                counts.merge(library(m.group(1), m.group(2)), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static String library(String className, String source) {
        String[] prefixes = {"software.amazon.awssdk.services.dynamodb", "software.amazon.awssdk.services.kms",
                "software.amazon.awssdk.services.sqs", "software.amazon.awssdk.http", "software.amazon.awssdk.core",
                "software.amazon.awssdk.auth", "software.amazon.awssdk.regions", "software.amazon.awssdk.protocols",
                "software.amazon.awssdk.utils", "software.amazon.awssdk", "software.amazon.lambda.powertools",
                "software.amazon.cloudwatchlogs", "org.apache.logging.log4j", "org.slf4j", "com.fasterxml.jackson",
                "com.amazonaws.services.lambda", "com.hrplatform", "org.crac", "io.", "org.", "com.", "kotlin"};
        if (source.startsWith("shared objects file") || source.startsWith("jrt:")) {
            return "(JDK) " + (className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                    || className.startsWith("sun.") || className.startsWith("com.sun.") ? className.split("\\.")[0] + "."
                    + className.split("\\.")[1] : "other");
        }
        for (String p : prefixes) {
            if (className.startsWith(p)) {
                return p;
            }
        }
        return "(other) " + className.split("\\.")[0];
    }

    /** Runs one child; with {@code -Xlog} its whole output is kept in {@link Run#body()}. */
    private static Run run(String kind, List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        long spawnedAt = System.currentTimeMillis();
        long t0 = System.nanoTime();
        Process p = builder.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(kind + " child did not finish in 60 s");
        }
        long wallMs = (System.nanoTime() - t0) / 1_000_000;
        String text = new String(out, StandardCharsets.UTF_8);
        Matcher m = LINE.matcher(text);
        if (p.exitValue() != 0 || !m.find()) {
            throw new IllegalStateException(kind + " child failed (exit " + p.exitValue() + "):\n" + text);
        }
        Matcher end = Pattern.compile("COLDSTART-END printed=(\\d+)").matcher(text);
        boolean verbose = cmd.stream().anyMatch(a -> a.startsWith("-Xlog:class"));
        return new Run(m.group(1), spawnedAt, Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Integer.parseInt(m.group(6)),
                Integer.parseInt(m.group(7)), verbose ? text : m.group(8), wallMs, end.find() ? Long.parseLong(end.group(1)) : -1);
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    private static Path findLambdaJar(Path repo) throws IOException {
        Path target = repo.resolve("functions").resolve("target");
        if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                Path jar = files.filter(f -> f.getFileName().toString().endsWith("-lambda.jar")).findFirst().orElse(null);
                if (jar != null) {
                    return jar;
                }
            }
        }
        throw new IllegalStateException("No functions/target/*-lambda.jar: build it first (./mvnw -pl functions -am package)");
    }

}
