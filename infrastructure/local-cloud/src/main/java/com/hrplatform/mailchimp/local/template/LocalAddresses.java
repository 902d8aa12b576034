package com.hrplatform.mailchimp.local.template;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Names, URLs and ARNs of the locally emulated resources: a table is named after its logical id, a
 * queue too (+ ".fifo" when FIFO), a KMS key gets a stable key id derived from its logical id.
 */
public final class LocalAddresses implements ResourceAddresses {

    public static final String REGION = "us-east-1";
    public static final String ACCOUNT_ID = "000000000000";

    private final String sqsEndpoint;
    private final String apiUrl;
    private final Template template;

    /**
     * @param sqsEndpoint ElasticMQ's base URL (queue URLs are {@code <endpoint>/<account>/<name>})
     * @param apiUrl      the local API's base URL (the HttpApi's endpoint)
     */
    public LocalAddresses(Template template, String sqsEndpoint, String apiUrl) {
        this.template = template;
        this.sqsEndpoint = stripSlash(sqsEndpoint);
        this.apiUrl = stripSlash(apiUrl);
    }

    private static String stripSlash(String s) {
        return s != null && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** Stable local key id of an {@code AWS::KMS::Key}, so ciphertexts stay readable across restarts. */
    public static String keyId(String logicalId) {
        return UUID.nameUUIDFromBytes(("local-kms/" + logicalId).getBytes(StandardCharsets.UTF_8)).toString();
    }

    public static String keyArn(String keyId) {
        return "arn:aws:kms:" + REGION + ":" + ACCOUNT_ID + ":key/" + keyId;
    }

    public static String queueArn(String queueName) {
        return "arn:aws:sqs:" + REGION + ":" + ACCOUNT_ID + ":" + queueName;
    }

    /** The local queue name of an {@code AWS::SQS::Queue}. */
    public String queueName(String logicalId) {
        Template.Resource r = template.resources().get(logicalId);
        boolean fifo = r != null && r.properties().path("FifoQueue").asText("false").equalsIgnoreCase("true");
        return fifo ? logicalId + ".fifo" : logicalId;
    }

    public String queueUrl(String queueName) {
        return sqsEndpoint + "/" + ACCOUNT_ID + "/" + queueName;
    }

    @Override
    public String region() {
        return REGION;
    }

    @Override
    public String accountId() {
        return ACCOUNT_ID;
    }

    @Override
    public String ref(String logicalId, String type) {
        switch (type) {
            case "AWS::DynamoDB::Table":
            case "AWS::Serverless::Function":
            case "AWS::Lambda::Function":
                return logicalId;
            case "AWS::SQS::Queue":
                return queueUrl(queueName(logicalId));
            case "AWS::KMS::Key":
                return keyId(logicalId);
            case "AWS::Serverless::HttpApi":
                return "local";
            case "AWS::KMS::Alias":
                return new Intrinsics(template, this).resolveString(
                        template.resources().get(logicalId).properties().get("AliasName"),
                        "Resources." + logicalId + ".Properties.AliasName");
            default:
                throw new TemplateException("Ref of " + logicalId + " (" + type + ") is not supported by the local runner");
        }
    }

    @Override
    public String getAtt(String logicalId, String type, String attribute) {
        String key = type + "." + attribute;
        switch (key) {
            case "AWS::DynamoDB::Table.Arn":
                return "arn:aws:dynamodb:" + REGION + ":" + ACCOUNT_ID + ":table/" + logicalId;
            case "AWS::DynamoDB::Table.StreamArn":
                return "arn:aws:dynamodb:" + REGION + ":" + ACCOUNT_ID + ":table/" + logicalId + "/stream/local";
            case "AWS::SQS::Queue.Arn":
                return queueArn(queueName(logicalId));
            case "AWS::SQS::Queue.QueueName":
                return queueName(logicalId);
            case "AWS::SQS::Queue.QueueUrl":
                return queueUrl(queueName(logicalId));
            case "AWS::KMS::Key.Arn":
                return keyArn(keyId(logicalId));
            case "AWS::KMS::Key.KeyId":
                return keyId(logicalId);
            case "AWS::Serverless::Function.Arn":
            case "AWS::Lambda::Function.Arn":
                return "arn:aws:lambda:" + REGION + ":" + ACCOUNT_ID + ":function:" + logicalId;
            case "AWS::Serverless::HttpApi.ApiEndpoint":
                return apiUrl;
            default:
                throw new TemplateException("Fn::GetAtt " + logicalId + "." + attribute + " (" + type
                        + ") is not supported by the local runner");
        }
    }
}
