package com.hrplatform.mailchimp.aws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.endpoints.DynamoDbEndpointProvider;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * DynamoDB's Query for the one read that returns a great many small items of text (a sync's walk over the
 * directory): the request is signed by the SDK's own SigV4 signer and sent through the SDK's HTTP client, and the
 * answer is read straight into maps of text. The SDK's object model (an AttributeValue per attribute, the item maps
 * copied twice) costs a Lambda JVM about 1 CPU-s per 100,000 people read; this about 0.4 (the sync benchmark's
 * probe prints both). It takes only what such a read needs: text keys and values, string sets in the answer.
 * Anything else (an answer other than 200, another attribute type, a checksum that does not match, an I/O error)
 * answers empty, and the caller reads through the SDK, which retries and reports errors as it always does; after
 * three such in a row the container stops trying, so a lasting problem does not cost every read a second request.
 */
public final class DirectQuery {
    private static final Logger LOG = LoggerFactory.getLogger(DirectQuery.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final String TARGET = "DynamoDB_20120810.Query";
    static final int GIVE_UP_AFTER = 3;

    /** One item: its text attributes ({@code S}) and string sets ({@code SS}) by name. */
    public record Item(Map<String, String> text, Map<String, List<String>> sets) {
    }

    /** The items of one page, and whether DynamoDB has more after them (a LastEvaluatedKey). */
    public record Page(List<Item> items, boolean more) {
    }

    /** What to ask: the condition's values are text ({@code S}). */
    public record Request(String table, String index, String keyCondition, Map<String, String> names,
                          Map<String, String> values, String projection, int limit) {
    }

    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final String region;
    private final URI endpoint;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final AtomicBoolean fallbackLogged = new AtomicBoolean();
    /** Failures since the last page read; at {@link #GIVE_UP_AFTER}, the container stops trying (no request twice). */
    private final AtomicInteger failedInARow = new AtomicInteger();

    public DirectQuery(SdkHttpClient http, AwsCredentialsProvider credentials, Region region, URI endpoint) {
        this.http = http;
        this.credentials = credentials;
        this.region = region.id();
        this.endpoint = endpoint;
    }

    /**
     * Sends where {@code client} sends its requests (its endpoint override, as for the local emulators, else its
     * region's endpoint, FIPS or dual-stack as the environment asks) with the client's HTTP client and credentials.
     */
    public static DirectQuery of(DynamoDbClient client, SdkHttpClient http, AwsCredentialsProvider credentials) {
        Region region = client.serviceClientConfiguration().region();
        URI endpoint = client.serviceClientConfiguration().endpointOverride().orElseGet(() -> DynamoDbEndpointProvider
                .defaultProvider().resolveEndpoint(params -> params.region(region)
                        .useFips(SdkSystemSetting.AWS_USE_FIPS_ENDPOINT.getBooleanValue().orElse(false))
                        .useDualStack(SdkSystemSetting.AWS_USE_DUALSTACK_ENDPOINT.getBooleanValue().orElse(false)))
                .join().url());
        return new DirectQuery(http, credentials, region, endpoint);
    }

    URI endpoint() {
        return endpoint;
    }

    /** The page, or empty when it could not be read this way (the caller then asks the SDK). */
    public Optional<Page> query(Request request) {
        if (failedInARow.get() >= GIVE_UP_AFTER) {
            return Optional.empty();
        }
        try {
            byte[] body = body(request);
            SdkHttpFullRequest unsigned = SdkHttpFullRequest.builder().method(SdkHttpMethod.POST).uri(endpoint)
                    .putHeader("Content-Type", "application/x-amz-json-1.0").putHeader("X-Amz-Target", TARGET)
                    .putHeader("Content-Length", Integer.toString(body.length)).build();
            AwsCredentialsIdentity identity = credentials.resolveIdentity().join();
            SignedRequest signed = signer.sign(sign -> sign.identity(identity).request(unsigned)
                    .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "dynamodb")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, region));
            HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder().request(signed.request())
                    .contentStreamProvider(signed.payload().orElseThrow()).build()).call();
            byte[] answer;
            Optional<? extends InputStream> stream = response.responseBody();
            if (stream.isEmpty()) {
                answer = new byte[0];
            } else {
                try (InputStream in = stream.get()) {
                    answer = in.readAllBytes();
                }
            }
            int status = response.httpResponse().statusCode();
            if (status != 200) {
                return fallBack("DynamoDB answered " + status);
            }
            Optional<String> crc = response.httpResponse().firstMatchingHeader("x-amz-crc32");
            if (crc.isPresent() && !crc.get().equals(Long.toString(crc32(answer)))) {
                return fallBack("the answer's checksum did not match");
            }
            Page page = page(answer);
            if (page == null) {
                return fallBack("the answer held attributes other than text");
            }
            failedInARow.set(0);
            return Optional.of(page);
        } catch (IOException | RuntimeException e) {
            // No message: an exception's text may carry a request's details; its type says enough.
            return fallBack(e.getClass().getSimpleName());
        }
    }

    private Optional<Page> fallBack(String why) {
        if (fallbackLogged.compareAndSet(false, true)) {
            LOG.warn("A direct DynamoDB query was not read ({}); such reads go through the SDK's client", why);
        }
        if (failedInARow.incrementAndGet() == GIVE_UP_AFTER) {
            LOG.warn("Direct DynamoDB queries failed {} times in a row; this container reads through the SDK from now on",
                    GIVE_UP_AFTER);
        }
        return Optional.empty();
    }

    static byte[] body(Request request) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("TableName", request.table());
            if (request.index() != null) {
                json.writeStringField("IndexName", request.index());
            }
            json.writeStringField("KeyConditionExpression", request.keyCondition());
            json.writeObjectFieldStart("ExpressionAttributeValues");
            for (Map.Entry<String, String> value : request.values().entrySet()) {
                json.writeObjectFieldStart(value.getKey());
                json.writeStringField("S", value.getValue());
                json.writeEndObject();
            }
            json.writeEndObject();
            if (!request.names().isEmpty()) {
                json.writeObjectFieldStart("ExpressionAttributeNames");
                for (Map.Entry<String, String> name : request.names().entrySet()) {
                    json.writeStringField(name.getKey(), name.getValue());
                }
                json.writeEndObject();
            }
            if (request.projection() != null) {
                json.writeStringField("ProjectionExpression", request.projection());
            }
            json.writeNumberField("Limit", request.limit());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Writing a query in memory failed", e);
        }
        return out.toByteArray();
    }

    /** The page of a Query's answer; null when an item holds an attribute that is neither S nor SS. */
    static Page page(byte[] answer) throws IOException {
        List<Item> items = new ArrayList<>();
        boolean more = false;
        try (JsonParser json = JSON.createParser(answer)) {
            expect(json.nextToken(), JsonToken.START_OBJECT);
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                if ("Items".equals(field)) {
                    expect(value, JsonToken.START_ARRAY);
                    while (json.nextToken() == JsonToken.START_OBJECT) {
                        Item item = item(json);
                        if (item == null) {
                            return null;
                        }
                        items.add(item);
                    }
                } else if ("LastEvaluatedKey".equals(field)) {
                    expect(value, JsonToken.START_OBJECT);
                    more = json.nextToken() == JsonToken.FIELD_NAME;
                    if (more) {
                        json.nextToken(); // the key's first attribute's value
                        json.skipChildren();
                        skipToEndOfObject(json);
                    }
                } else {
                    json.skipChildren();
                }
            }
        }
        return new Page(items, more);
    }

    /** One item, its start already read: {"name": {"S": "text"} | {"SS": ["a", ...]}, ...}. */
    private static Item item(JsonParser json) throws IOException {
        Map<String, String> text = new HashMap<>(16);
        Map<String, List<String>> sets = Map.of();
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String name = json.currentName();
            expect(json.nextToken(), JsonToken.START_OBJECT);
            expect(json.nextToken(), JsonToken.FIELD_NAME);
            String type = json.currentName();
            JsonToken value = json.nextToken();
            if ("S".equals(type) && value == JsonToken.VALUE_STRING) {
                text.put(name, json.getText());
            } else if ("SS".equals(type) && value == JsonToken.START_ARRAY) {
                List<String> members = new ArrayList<>();
                while (json.nextToken() == JsonToken.VALUE_STRING) {
                    members.add(json.getText());
                }
                if (sets.isEmpty()) {
                    sets = new HashMap<>(4);
                }
                sets.put(name, List.copyOf(members));
            } else {
                return null;
            }
            expect(json.nextToken(), JsonToken.END_OBJECT);
        }
        return new Item(text, sets);
    }

    private static void skipToEndOfObject(JsonParser json) throws IOException {
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            json.nextToken();
            json.skipChildren();
        }
    }

    private static void expect(JsonToken token, JsonToken expected) throws IOException {
        if (token != expected) {
            throw new IOException("Expected " + expected + " in a Query's answer, found " + token);
        }
    }

    private static long crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
