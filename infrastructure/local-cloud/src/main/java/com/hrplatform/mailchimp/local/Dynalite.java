package com.hrplatform.mailchimp.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * dynalite (DynamoDB on LevelDB, in memory without a path) as a child process:
 * {@code node <infrastructure>/node_modules/dynalite/cli.js --host 127.0.0.1 --port N [--path dir]}.
 * The port is read back from its "listening" line. A small preload script
 * makes node exit when our end of its stdin closes, so dynalite never outlives a JVM that died hard.
 */
final class Dynalite implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening at: https?://[^:]*:(\\d+)");
    private static final String ORPHAN_GUARD =
            "process.stdin.on('end', () => process.exit(0)); process.stdin.on('error', () => process.exit(0)); process.stdin.resume();\n";

    private final Process process;
    private final int port;
    private final Path guardScript;

    private Dynalite(Process process, int port, Path guardScript) {
        this.process = process;
        this.port = port;
        this.guardScript = guardScript;
    }

    /** Port 0 = a free port (dynalite itself reads 0 as "default 4567", so we pick one, retrying on a lost race). */
    static Dynalite start(Path nodeModules, int port, Path dataDir, Duration timeout) {
        return port != 0 ? startOn(nodeModules, port, dataDir, timeout)
                : Http.startOnFreePort(free -> startOn(nodeModules, free, dataDir, timeout), "EADDRINUSE");
    }

    private static Dynalite startOn(Path nodeModules, int port, Path dataDir, Duration timeout) {
        Path cli = nodeModules.resolve("dynalite").resolve("cli.js");
        if (!Files.isRegularFile(cli)) {
            throw new IllegalStateException("dynalite is not installed: " + cli);
        }
        Path guard;
        try {
            guard = Files.createTempFile("dynalite-orphan-guard", ".cjs");
            Files.writeString(guard, ORPHAN_GUARD);
            guard.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>(List.of("node", "--require", guard.toString(), cli.toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"));
        if (dataDir != null) {
            try {
                Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create " + dataDir, e);
            }
            cmd.add("--path");
            cmd.add(dataDir.toAbsolutePath().toString());
        }
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start dynalite (is node on the PATH?)", e);
        }
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        StringBuilder early = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (!listening.isDone() && m.find()) {
                        listening.complete(Integer.parseInt(m.group(1)));
                    } else if (!listening.isDone()) {
                        synchronized (early) {
                            early.append(line).append('\n');
                        }
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
            listening.completeExceptionally(new IllegalStateException("dynalite exited"));
        }, "dynalite-output");
        reader.setDaemon(true);
        reader.start();
        try {
            int actual = listening.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Dynalite(p, actual, guard);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            destroy(p);
            throw new IllegalStateException("Interrupted while starting dynalite", e);
        } catch (ExecutionException | TimeoutException e) {
            destroy(p);
            String out;
            synchronized (early) {
                out = early.toString();
            }
            throw new IllegalStateException("dynalite did not start on port " + port + ": " + out.trim(), e);
        }
    }

    int port() {
        return port;
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        destroy(process);
        try {
            Files.deleteIfExists(guardScript);
        } catch (IOException ignored) {
            // temp file, deleted on exit anyway
        }
    }

    /** Stops a child process and all its descendants: TERM first, KILL after a grace period. */
    static void destroy(Process p) {
        List<ProcessHandle> tree = new ArrayList<>();
        p.descendants().forEach(tree::add);
        tree.add(p.toHandle());
        for (ProcessHandle h : tree) {
            h.destroy();
        }
        try {
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // already closed
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ProcessHandle h : tree) {
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                h.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }
}
