package com.hrplatform.mailchimp.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs cfn-guard 3.1.1 as a process: the Linux/macOS binary shipped in the npm package
 * {@code @cdklabs/cdk-validator-cfnguard} (infrastructure/package-lock.json). A fresh clone has no
 * node_modules: then {@code npm ci} runs once in infrastructure/ first.
 */
final class TemplateChecksTestGuard {
    /** {@code <rules file>/<rule name>   PASS|FAIL|SKIP} lines of {@code --show-summary all}. */
    private static final Pattern SUMMARY_LINE = Pattern.compile("^(\\S+)\\.guard/(\\w+)\\s+(PASS|FAIL|SKIP)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern RULE_DECLARATION = Pattern.compile("^\\s*rule\\s+(\\w+)", Pattern.MULTILINE);

    record Result(int exitCode, String output) {
    }

    private TemplateChecksTestGuard() {
    }

    static Path guardDir() {
        return TemplateChecksTestSupport.repoRoot().resolve("infrastructure/guard");
    }

    static List<Path> ruleFiles() throws IOException {
        try (Stream<Path> files = Files.list(guardDir())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".guard")).sorted().toList();
        }
    }

    /** rule name -> rules file name (without .guard), over every rules file. */
    static Map<String, String> declaredRules() throws IOException {
        Map<String, String> rules = new LinkedHashMap<>();
        for (Path file : ruleFiles()) {
            Matcher m = RULE_DECLARATION.matcher(Files.readString(file));
            String stem = file.getFileName().toString().replaceFirst("\\.guard$", "");
            while (m.find()) {
                rules.put(m.group(1), stem);
            }
        }
        return rules;
    }

    /** {@code cfn-guard validate} of one data file against every rules file; rule name -> PASS/FAIL/SKIP. */
    static Map<String, String> validate(Path data) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary().toString(), "validate", "--show-summary", "all"));
        for (Path rules : ruleFiles()) {
            command.add("--rules");
            command.add(rules.toString());
        }
        command.add("--data");
        command.add(data.toString());
        Result result = run(command, guardDir());
        Map<String, String> statuses = new LinkedHashMap<>();
        Matcher m = SUMMARY_LINE.matcher(result.output());
        while (m.find()) {
            statuses.put(m.group(2), m.group(3));
        }
        boolean anyFail = statuses.containsValue("FAIL");
        // Exit code 0 = every rule passed or skipped, 19 = some rule failed; anything else is an error of guard itself.
        if (statuses.isEmpty() || (result.exitCode() != 0 && result.exitCode() != 19) || anyFail != (result.exitCode() == 19)) {
            throw new IllegalStateException("cfn-guard validate " + data + " exited " + result.exitCode() + ":\n" + result.output());
        }
        return statuses;
    }

    /** {@code cfn-guard test -d infrastructure/guard}: every tests/<rules>_tests.yaml case against its rules file. */
    static Result unitTests() throws IOException, InterruptedException {
        return run(List.of(binary().toString(), "test", "--dir", guardDir().toString()), guardDir());
    }

    static Path binary() throws IOException, InterruptedException {
        Path infrastructure = TemplateChecksTestSupport.repoRoot().resolve("infrastructure");
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String osDir = os.contains("mac") ? "macos" : os.contains("linux") ? "ubuntu" : null;
        String archDir = arch.equals("aarch64") || arch.equals("arm64") ? "aarch64"
                : arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : null;
        if (osDir == null || archDir == null) {
            throw new IllegalStateException("No cfn-guard binary in @cdklabs/cdk-validator-cfnguard for " + os + "/" + arch);
        }
        Path binary = infrastructure.resolve("node_modules/@cdklabs/cdk-validator-cfnguard/bin")
                .resolve(osDir).resolve(archDir).resolve("cfn-guard");
        if (!Files.isRegularFile(binary)) {
            npmCi(infrastructure);
        }
        if (!Files.isRegularFile(binary)) {
            throw new IllegalStateException("npm ci did not install " + binary);
        }
        if (!Files.isExecutable(binary) && !binary.toFile().setExecutable(true)) {
            throw new IllegalStateException(binary + " is not executable");
        }
        return binary;
    }

    private static synchronized void npmCi(Path infrastructure) throws IOException, InterruptedException {
        Result result = run(List.of("npm", "ci", "--no-audit", "--no-fund"), infrastructure);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("npm ci in " + infrastructure + " failed:\n" + result.output());
        }
    }

    static Result run(List<String> command, Path workingDir) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("Timed out: " + command);
        }
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
