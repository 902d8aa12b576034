package com.hrplatform.mailchimp.local;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 6, acceptance 1-3: the dashboard in a real browser. Makes sure Debian's Chromium is installed
 * ({@code infrastructure/e2e/ensure-chromium.sh}: apt-get when missing and root), then runs
 * {@code node --test infrastructure/e2e/dashboard.test.mjs}, where playwright-core drives headless
 * Chromium against this JVM's local cloud with a fresh org and a fresh sandbox account, the page loaded from the
 * runner's dashboard server (an origin other than the API's, as in AWS) and failing on any console error: connect (format
 * error without a request, Mailchimp's refusal, success), contacts import, segment create / sync to
 * {@code synced} / edit / delete, campaign tracking and refresh, opt-out and erasure, FORBIDDEN and an
 * expired token, audit paging, laptop and phone widths. Screenshots land in infrastructure/e2e/screenshots/.
 */
class DashboardBrowserTest {
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));
    private static final Pattern TESTS = Pattern.compile("(?m)^# tests (\\d+)\\s*$");
    private static final Pattern PASS = Pattern.compile("(?m)^# pass (\\d+)\\s*$");
    private static final Pattern FAIL = Pattern.compile("(?m)^# fail (\\d+)\\s*$");

    @Test
    void theDashboardWorksInHeadlessChromium() throws Exception {
        LocalCloud cloud = LocalCloudFixture.get();
        Path infrastructure = cloud.templatePath().toAbsolutePath().getParent().resolve("infrastructure");
        Path e2e = infrastructure.resolve("e2e");
        Path script = e2e.resolve("dashboard.test.mjs");
        assertTrue(Files.isRegularFile(script), () -> "missing " + script);
        assertTrue(Files.isRegularFile(infrastructure.resolve("dashboard").resolve("index.html")),
                "missing infrastructure/dashboard/index.html");

        ensureChromium(e2e.resolve("ensure-chromium.sh"));
        NodeModules.ensureInstalled(infrastructure);

        String orgId = "org-dash-" + UUID.randomUUID();
        String sandboxKey = SandboxControl.newAccount("Dashboard " + orgId.substring(9, 17)).path("apiKey").asText();
        // The page's requests and Chromium's net log, kept for a failed run (the last run's only).
        Path diagnostics = Path.of("target", "dashboard-diagnostics").toAbsolutePath();
        deleteRecursively(diagnostics);
        Files.createDirectories(diagnostics);
        Map<String, String> env = Map.of(
                "DIAGNOSTICS_DIR", diagnostics.toString(),
                "API_URL", cloud.apiUrl(),
                "DASHBOARD_URL", cloud.dashboardUrl(),
                "SANDBOX_URL", cloud.sandboxUrl(),
                "ADMIN_TOKEN", LocalCloudFixture.adminToken(orgId),
                "MEMBER_TOKEN", LocalCloudFixture.memberToken(orgId),
                "EXPIRED_TOKEN", LocalCloudFixture.token(orgId, "admin", Instant.now().minus(Duration.ofMinutes(5))),
                "SANDBOX_KEY", sandboxKey,
                "CHROMIUM_PATH", CHROMIUM.toString(),
                "NO_COLOR", "1");

        Run node = run(List.of("node", "--test", "--test-reporter=tap", script.toString()), infrastructure, env,
                Duration.ofMinutes(6));
        System.out.println("[DashboardBrowserTest] node --test output (" + node.seconds() + " s):\n" + node.output());
        assertEquals(0, node.exit(), () -> "the browser test failed (exit " + node.exit() + "):\n" + node.output()
                + "\n" + busyThreads() + "\n" + pageRequests(diagnostics));
        Matcher tests = TESTS.matcher(node.output());
        Matcher pass = PASS.matcher(node.output());
        Matcher failed = FAIL.matcher(node.output());
        assertTrue(tests.find() && pass.find() && failed.find(), () -> "no TAP summary in node's output:\n" + node.output());
        assertEquals(0, Integer.parseInt(failed.group(1)), () -> "node reports failures:\n" + node.output());
        assertTrue(Integer.parseInt(tests.group(1)) >= 14, () -> "expected the 14 browser tests:\n" + node.output());
        assertEquals(tests.group(1), pass.group(1), () -> "every browser test passes (none skipped):\n" + node.output());
    }

    /** Runs ensure-chromium.sh (installs Debian's chromium as root when missing); fails clearly otherwise. */
    private static void ensureChromium(Path installer) throws Exception {
        assertTrue(Files.isRegularFile(installer), () -> "missing " + installer);
        Run result = run(List.of("bash", installer.toString()), installer.getParent(),
                Map.of("CHROMIUM_PATH", CHROMIUM.toString()), Duration.ofMinutes(10));
        System.out.println("[DashboardBrowserTest] ensure-chromium.sh (" + result.seconds() + " s): " + result.output().strip());
        if (result.exit() != 0 || !Files.isExecutable(CHROMIUM)) {
            fail("Chromium is needed for the dashboard's browser test and is missing at " + CHROMIUM
                    + ". Install Debian's package (as root: apt-get update && apt-get install -y chromium) or set"
                    + " CHROMIUM_PATH. ensure-chromium.sh exited " + result.exit() + ":\n" + result.output());
        }
    }

    /**
     * Where this JVM's threads are when the page got no answers: every thread except pool workers waiting for a task
     * (the JDK HTTP servers' dispatchers included, which accept and hand out the browser's requests).
     */
    private static String busyThreads() {
        StringBuilder dump = new StringBuilder("threads of the local cloud at the failure (idle pool workers left out):\n");
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            boolean idleWorker = Arrays.stream(stack).anyMatch(frame -> frame.getMethodName().equals("getTask")
                    && frame.getClassName().equals("java.util.concurrent.ThreadPoolExecutor"));
            if (!idleWorker) {
                dump.append("  ").append(thread.getName()).append(' ').append(thread.getState()).append('\n');
                for (int i = 0; i < Math.min(stack.length, 14); i++) {
                    dump.append("      at ").append(stack[i]).append('\n');
                }
            }
        });
        return dump.toString();
    }

    /** The page's requests as the browser test noted them, the last 60; Chromium's net log is beside them. */
    private static String pageRequests(Path diagnostics) {
        Path log = diagnostics.resolve("page-requests.log");
        try {
            List<String> lines = Files.isRegularFile(log) ? Files.readAllLines(log) : List.of();
            return "the page's requests (" + log + ", Chromium's net log beside it):\n  "
                    + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "the page's requests could not be read: " + e.getMessage();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private record Run(int exit, String output, long seconds) {
    }

    private static Run run(List<String> command, Path dir, Map<String, String> env, Duration limit) throws Exception {
        long started = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within " + limit.toMinutes() + " minutes:\n"
                    + output.getNow("(no output yet)"));
        }
        return new Run(process.exitValue(), output.get(30, TimeUnit.SECONDS), (System.nanoTime() - started) / 1_000_000_000);
    }

    private static String readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output lost: " + e.getMessage() + ")";
        }
    }
}
