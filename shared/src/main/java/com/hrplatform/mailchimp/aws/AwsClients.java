package com.hrplatform.mailchimp.aws;

import com.hrplatform.mailchimp.config.Env;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.time.Duration;

/**
 * AWS SDK clients, built once per container and shared by every handler in it. The region is explicit
 * (AWS_REGION, set by Lambda) and credentials come from the environment first, which avoids the default
 * chain's slow probing on a cold start. Endpoints are the SDK's own (AWS_ENDPOINT_URL_* locally).
 */
public final class AwsClients {
    private static final SdkHttpClient HTTP = UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(2))
            .socketTimeout(Duration.ofSeconds(10))
            .build();

    private AwsClients() {
    }

    public static Region region() {
        return Region.of(Env.optional("AWS_REGION")
                .or(() -> Env.optional("aws.region"))
                .orElse("us-east-1"));
    }

    // Holder classes: each client is built on first use only, once, without locking code.
    private static final class DynamoDbHolder {
        static final AwsCredentialsProvider CREDENTIALS = credentials();
        static final DynamoDbClient CLIENT = DynamoDbClient.builder()
                .region(region()).credentialsProvider(CREDENTIALS).httpClient(HTTP).build();
    }

    private static final class DynamoDbDirectHolder {
        static final DirectQuery QUERY = DirectQuery.of(DynamoDbHolder.CLIENT, HTTP, DynamoDbHolder.CREDENTIALS);
    }

    private static final class SqsHolder {
        static final SqsClient CLIENT = SqsClient.builder()
                .region(region()).credentialsProvider(credentials()).httpClient(HTTP).build();
    }

    private static final class KmsHolder {
        static final KmsClient CLIENT = KmsClient.builder()
                .region(region()).credentialsProvider(credentials()).httpClient(HTTP).build();
    }

    private static final class EventBridgeHolder {
        static final EventBridgeClient CLIENT = EventBridgeClient.builder()
                .region(region()).credentialsProvider(credentials()).httpClient(HTTP).build();
    }

    private static AwsCredentialsProvider credentials() {
        return AwsCredentialsProviderChain.builder()
                .reuseLastProviderEnabled(true)
                .credentialsProviders(
                        EnvironmentVariableCredentialsProvider.create(),
                        SystemPropertyCredentialsProvider.create(),
                        DefaultCredentialsProvider.builder().build())
                .build();
    }

    public static DynamoDbClient dynamoDb() {
        return DynamoDbHolder.CLIENT;
    }

    /** Queries of many small text items (a sync's directory windows), where the SDK's object model is most of the cost. */
    public static DirectQuery dynamoDbDirect() {
        return DynamoDbDirectHolder.QUERY;
    }

    public static SqsClient sqs() {
        return SqsHolder.CLIENT;
    }

    public static KmsClient kms() {
        return KmsHolder.CLIENT;
    }

    public static EventBridgeClient eventBridge() {
        return EventBridgeHolder.CLIENT;
    }
}
