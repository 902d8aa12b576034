package com.hrplatform.mailchimp.local.coldstart;

import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * Child JVM of {@link ColdStartProbe}, the baseline: a bare SDK v2 DynamoDbClient (url-connection-client;
 * region, credentials and endpoint from the environment as the SDK reads them) and its first GetItem of the
 * same item the handler reads. Prints one {@code COLDSTART ...} line with milliseconds since JVM start.
 */
public final class SdkColdStart {
    private SdkColdStart() {
    }

    public static void main(String[] args) {
        long mainAt = System.currentTimeMillis();
        DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
        long builtAt = System.currentTimeMillis();
        GetItemResponse item = dynamo.getItem(b -> b.tableName(args[1]).key(Map.of("orgId", AttributeValue.fromS(args[0]))));
        long answeredAt = System.currentTimeMillis();
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        int classes = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
        System.out.println("COLDSTART kind=sdk jvmStart=" + jvmStart + " main=" + (mainAt - jvmStart)
                + " built=" + (builtAt - jvmStart) + " answered=" + (answeredAt - jvmStart) + " classes=" + classes
                + " status=" + (item.hasItem() ? 200 : 404) + " body=" + item.item().keySet());
        System.out.flush();
        System.out.println("COLDSTART-END printed=" + (System.currentTimeMillis() - jvmStart));
        System.out.flush();
        Runtime.getRuntime().halt(item.hasItem() ? 0 : 3);
    }
}
