package com.hrplatform.mailchimp.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Node tools of the local cloud (dynalite, cfn-guard, tRPC client, Playwright) come from the
 * committed package-lock.json in infrastructure/. {@link #ensureInstalled(Path)} runs
 * {@code npm ci --no-audit --no-fund} there when node_modules is missing or older than the lock file.
 * Safe to call from several threads and several JVMs at once (a file lock serialises the installs).
 */
public final class NodeModules {

    private NodeModules() {
    }

    /** Installs if needed and returns {@code <infrastructureDir>/node_modules}. */
    public static synchronized Path ensureInstalled(Path infrastructureDir) {
        Path dir = infrastructureDir.toAbsolutePath().normalize();
        Path lockFile = dir.resolve("package-lock.json");
        if (!Files.isRegularFile(lockFile)) {
            throw new IllegalStateException("No package-lock.json in " + dir);
        }
        Path modules = dir.resolve("node_modules");
        if (upToDate(modules, lockFile)) {
            return modules;
        }
        Path guard = Path.of(System.getProperty("java.io.tmpdir"),
                "npm-ci-" + Integer.toHexString(dir.toString().hashCode()) + ".lock");
        try (FileChannel ch = FileChannel.open(guard, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            if (upToDate(modules, lockFile)) {
                return modules; // another JVM installed while we waited
            }
            runNpmCi(dir);
            if (!upToDate(modules, lockFile)) {
                throw new IllegalStateException("npm ci in " + dir + " did not produce an up-to-date node_modules");
            }
            return modules;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot install the Node tools in " + dir, e);
        }
    }

    /** node_modules exists and its install marker is not older than package-lock.json. */
    static boolean upToDate(Path modules, Path lockFile) {
        try {
            if (!Files.isDirectory(modules)) {
                return false;
            }
            Path marker = modules.resolve(".package-lock.json"); // written by npm at the end of an install
            FileTime installed = Files.exists(marker) ? Files.getLastModifiedTime(marker) : Files.getLastModifiedTime(modules);
            return installed.compareTo(Files.getLastModifiedTime(lockFile)) >= 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static void runNpmCi(Path dir) throws IOException {
        boolean windows = System.getProperty("os.name", "").toLowerCase().contains("win");
        List<String> cmd = List.of(windows ? "npm.cmd" : "npm", "ci", "--no-audit", "--no-fund");
        System.out.println("[local-cloud] npm ci in " + dir + " ...");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("npm ci in " + dir + " timed out");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running npm ci", e);
        }
        if (p.exitValue() != 0) {
            String text = new String(out, StandardCharsets.UTF_8);
            throw new IllegalStateException("npm ci in " + dir + " failed (exit " + p.exitValue() + "):\n"
                    + text.substring(Math.max(0, text.length() - 4000)));
        }
    }
}
