package com.hrplatform.mailchimp.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeModulesTest {

    @Test
    void upToDateOnlyWhenTheInstallIsNotOlderThanTheLockFile(@TempDir Path dir) throws Exception {
        Path lock = Files.writeString(dir.resolve("package-lock.json"), "{}");
        Path modules = dir.resolve("node_modules");
        assertFalse(NodeModules.upToDate(modules, lock), "missing node_modules");
        Files.createDirectories(modules);
        Path marker = Files.writeString(modules.resolve(".package-lock.json"), "{}");
        Files.setLastModifiedTime(lock, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
        Files.setLastModifiedTime(marker, FileTime.from(Instant.parse("2026-01-02T00:00:00Z")));
        assertTrue(NodeModules.upToDate(modules, lock));
        Files.setLastModifiedTime(lock, FileTime.from(Instant.parse("2026-01-03T00:00:00Z")));
        assertFalse(NodeModules.upToDate(modules, lock), "package-lock.json changed after the install");
    }

    @Test
    void theRepositoryToolsAreInstalled() {
        Path infra = LocalCloudConfig.defaults().withTemplate(Path.of("../../template.yaml")).resolvedInfrastructureDir();
        Path modules = NodeModules.ensureInstalled(infra);
        assertTrue(Files.isRegularFile(modules.resolve("dynalite").resolve("cli.js")));
    }
}
