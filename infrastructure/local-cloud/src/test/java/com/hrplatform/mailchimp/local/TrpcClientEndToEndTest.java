package com.hrplatform.mailchimp.local;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 2, acceptance 2: the unmodified {@code @trpc/client} from npm (httpLink, no transformer) drives
 * connect / get / listAudiences / disconnect against the local runner. Runs
 * {@code node --test infrastructure/e2e/trpc-client.test.mjs} with a fresh org and a fresh sandbox account.
 */
class TrpcClientEndToEndTest {
    private static final Pattern PASS = Pattern.compile("(?m)^# pass (\\d+)\\s*$");
    private static final Pattern FAIL = Pattern.compile("(?m)^# fail (\\d+)\\s*$");

    @Test
    void theUnmodifiedTrpcClientConnectsReadsListsAndDisconnects() throws Exception {
        LocalCloud cloud = LocalCloudFixture.get();
        Path infrastructure = cloud.templatePath().getParent().resolve("infrastructure");
        NodeModules.ensureInstalled(infrastructure);
        Path script = infrastructure.resolve("e2e").resolve("trpc-client.test.mjs");
        assertTrue(Files.isRegularFile(script), () -> "missing " + script);

        String orgId = "org-" + UUID.randomUUID();
        String sandboxKey = SandboxControl.newAccount("tRPC client " + orgId).path("apiKey").asText();

        ProcessBuilder builder = new ProcessBuilder("node", "--test", "--test-reporter=tap", script.toString())
                .directory(infrastructure.toFile()).redirectErrorStream(true);
        builder.environment().put("API_URL", cloud.apiUrl());
        builder.environment().put("ADMIN_TOKEN", LocalCloudFixture.adminToken(orgId));
        builder.environment().put("MEMBER_TOKEN", LocalCloudFixture.memberToken(orgId));
        builder.environment().put("SANDBOX_KEY", sandboxKey);
        builder.environment().put("NO_COLOR", "1");
        Process node = builder.start();
        node.getOutputStream().close();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(node.getInputStream()));
        if (!node.waitFor(3, TimeUnit.MINUTES)) {
            node.descendants().forEach(ProcessHandle::destroyForcibly);
            node.destroyForcibly();
            fail("node --test did not finish within 3 minutes:\n" + output.getNow("(no output yet)"));
        }
        String text = output.get(30, TimeUnit.SECONDS);
        System.out.println("[TrpcClientEndToEndTest] node --test output:\n" + text);
        assertEquals(0, node.exitValue(), () -> "node --test failed (exit " + node.exitValue() + "):\n" + text);
        Matcher pass = PASS.matcher(text);
        Matcher failed = FAIL.matcher(text);
        assertTrue(pass.find() && failed.find(), () -> "no TAP summary in node's output:\n" + text);
        assertTrue(Integer.parseInt(pass.group(1)) >= 2, () -> "expected both tests to pass:\n" + text);
        assertEquals(0, Integer.parseInt(failed.group(1)), () -> "node reports failures:\n" + text);
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
