package com.hrplatform.mailchimp.local;

import com.hrplatform.mailchimp.local.template.LocalTemplate;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

import java.nio.file.Path;
import java.time.Duration;

/**
 * dynalite on its own (in memory, a free port), for tools outside the local cloud such as the cold-start
 * probe: the same {@link NodeModules} install and {@link Dynalite} child process the runner uses, and tables
 * created from template.yaml exactly as the runner creates them.
 */
public final class StandaloneDynalite implements AutoCloseable {
    private final Dynalite dynalite;

    private StandaloneDynalite(Dynalite dynalite) {
        this.dynalite = dynalite;
    }

    /** Installs the Node tools of {@code infrastructureDir} if needed and starts dynalite in memory. */
    public static StandaloneDynalite start(Path infrastructureDir) {
        Path nodeModules = NodeModules.ensureInstalled(infrastructureDir);
        return new StandaloneDynalite(Dynalite.start(nodeModules, 0, null, Duration.ofSeconds(30)));
    }

    public String endpoint() {
        return dynalite.endpoint();
    }

    /** Creates a template table (as the runner does) and waits until it is ACTIVE. */
    public void createTable(DynamoDbClient dynamo, LocalTemplate.Table table) {
        dynamo.createTable(LocalCloud.createTableRequest(table));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (dynamo.describeTable(b -> b.tableName(table.name())).table().tableStatus() != TableStatus.ACTIVE) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Table " + table.name() + " did not become ACTIVE");
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public void close() {
        dynalite.close();
    }
}
