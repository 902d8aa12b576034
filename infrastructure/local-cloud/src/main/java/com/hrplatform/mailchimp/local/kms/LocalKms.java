package com.hrplatform.mailchimp.local.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * A local stand-in for AWS KMS: an in-process HTTP server speaking KMS's JSON protocol
 * ({@code X-Amz-Target: TrentService.Encrypt|Decrypt|GenerateDataKey|DescribeKey},
 * {@code application/x-amz-json-1.1}, blobs base64) so an unmodified SDK v2 {@code KmsClient} works
 * against it. Symmetric keys are AES-256-GCM; the EncryptionContext (and the key id) are bound as
 * additional authenticated data, so a ciphertext only decrypts under the same context, otherwise
 * {@code InvalidCiphertextException} (400) as KMS answers. Signatures are not checked.
 *
 * <p>Key material lives in memory, or in a key-store file when one is given (the dev runner keeps it next
 * to dynalite's data so encrypted secrets survive a restart).
 */
public final class LocalKms implements AutoCloseable {

    public static final String REGION = "us-east-1";
    public static final String ACCOUNT_ID = "000000000000";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte BLOB_VERSION = 1;
    private static final int KEY_ID_LENGTH = 36;
    private static final int IV_LENGTH = 12;
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final String ARN_PREFIX = "arn:aws:kms:" + REGION + ":" + ACCOUNT_ID + ":";

    private final SecureRandom random = new SecureRandom();
    private final Map<String, SecretKey> keys = new ConcurrentHashMap<>();
    private final Map<String, String> aliases = new ConcurrentHashMap<>();
    private final Path keyStore;
    private final HttpServer server;
    private final ExecutorService executor;

    private LocalKms(int port, Path keyStore) throws IOException {
        this.keyStore = keyStore;
        if (keyStore != null && Files.exists(keyStore)) {
            for (String line : Files.readAllLines(keyStore)) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length == 2) {
                    keys.put(parts[0], new SecretKeySpec(Base64.getDecoder().decode(parts[1]), "AES"));
                }
            }
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "local-kms");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts on {@code port} (0 = a free port), keys in memory. */
    public static LocalKms start(int port) {
        return start(port, null);
    }

    /** Starts on {@code port} (0 = a free port) keeping key material in {@code keyStore} (null = memory). */
    public static LocalKms start(int port, Path keyStore) {
        try {
            return new LocalKms(port, keyStore);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the local KMS on port " + port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The endpoint to give the SDK ({@code endpointOverride} or {@code aws.endpointUrlKms}). */
    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    /** Creates a new symmetric key with a random id and returns the id. */
    public String createKey() {
        String id = java.util.UUID.randomUUID().toString();
        ensureKey(id);
        return id;
    }

    /** Makes sure a key with this id exists (kept from the key store if it was there). */
    public synchronized void ensureKey(String keyId) {
        if (!UUID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("A KMS key id is a lower-case UUID: " + keyId);
        }
        if (keys.containsKey(keyId)) {
            return;
        }
        byte[] material = new byte[32];
        random.nextBytes(material);
        keys.put(keyId, new SecretKeySpec(material, "AES"));
        persist();
    }

    /** Adds an alias ({@code alias/name}) for a key. */
    public void addAlias(String aliasName, String keyId) {
        if (!aliasName.startsWith("alias/")) {
            throw new IllegalArgumentException("An alias name starts with alias/: " + aliasName);
        }
        aliases.put(aliasName, keyId);
    }

    public static String keyArn(String keyId) {
        return ARN_PREFIX + "key/" + keyId;
    }

    private void persist() {
        if (keyStore == null) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(keys).forEach((id, k) -> sb.append(id).append(' ')
                .append(Base64.getEncoder().encodeToString(k.getEncoded())).append('\n'));
        try {
            Files.createDirectories(keyStore.toAbsolutePath().getParent());
            Path tmp = keyStore.resolveSibling(keyStore.getFileName() + ".tmp");
            Files.writeString(tmp, sb.toString());
            Files.move(tmp, keyStore, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the local KMS key store " + keyStore, e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------- protocol

    /** A KMS error: the SDK maps {@code __type} to the exception class. */
    private static final class KmsError extends Exception {
        final int status;
        final String type;

        KmsError(int status, String type, String message) {
            super(message);
            this.status = status;
            this.type = type;
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            int status = 200;
            ObjectNode out;
            try {
                if (!"POST".equals(ex.getRequestMethod())) {
                    throw new KmsError(400, "UnknownOperationException", "KMS takes POST requests");
                }
                String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
                JsonNode req;
                try {
                    req = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
                } catch (IOException e) {
                    throw new KmsError(400, "SerializationException", "Request body is not JSON");
                }
                if (req == null || !req.isObject()) {
                    throw new KmsError(400, "SerializationException", "Request body is not a JSON object");
                }
                out = switch (target == null ? "" : target) {
                    case "TrentService.Encrypt" -> encrypt(req);
                    case "TrentService.Decrypt" -> decrypt(req);
                    case "TrentService.GenerateDataKey" -> generateDataKey(req);
                    case "TrentService.DescribeKey" -> describeKey(req);
                    default -> throw new KmsError(400, "UnknownOperationException", "Operation not supported locally: " + target);
                };
            } catch (KmsError e) {
                status = e.status;
                out = JSON.createObjectNode();
                out.put("__type", e.type);
                if (e.getMessage() != null) {
                    out.put("message", e.getMessage());
                }
                ex.getResponseHeaders().set("x-amzn-ErrorType", e.type);
            }
            byte[] bytes = JSON.writeValueAsBytes(out);
            ex.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
            ex.getResponseHeaders().set("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(bytes);
            }
        }
    }

    private String resolveKeyId(JsonNode keyIdNode) throws KmsError {
        if (keyIdNode == null || !keyIdNode.isTextual() || keyIdNode.asText().isEmpty()) {
            throw new KmsError(400, "ValidationException", "KeyId is required");
        }
        String k = keyIdNode.asText();
        String id = k;
        if (k.startsWith(ARN_PREFIX + "key/")) {
            id = k.substring((ARN_PREFIX + "key/").length());
        } else if (k.startsWith(ARN_PREFIX + "alias/")) {
            id = aliases.get(k.substring(ARN_PREFIX.length()));
        } else if (k.startsWith("alias/")) {
            id = aliases.get(k);
        } else if (k.startsWith("arn:")) {
            throw new KmsError(400, "NotFoundException", "Invalid arn " + k);
        }
        if (id == null || !keys.containsKey(id)) {
            throw new KmsError(400, "NotFoundException", "Key '" + (k.startsWith("arn:") ? k : keyArn(k)) + "' does not exist");
        }
        return id;
    }

    private static byte[] base64Field(JsonNode req, String name, boolean required) throws KmsError {
        JsonNode n = req.get(name);
        if (n == null || n.isNull()) {
            if (required) {
                throw new KmsError(400, "ValidationException", "1 validation error detected: Value null at '" + name
                        + "' failed to satisfy constraint: Member must not be null");
            }
            return null;
        }
        try {
            return Base64.getDecoder().decode(n.asText());
        } catch (IllegalArgumentException e) {
            throw new KmsError(400, "SerializationException", name + " is not base64");
        }
    }

    private static byte[] aad(String keyId, JsonNode context) throws KmsError {
        TreeMap<String, String> sorted = new TreeMap<>();
        if (context != null && !context.isNull()) {
            if (!context.isObject()) {
                throw new KmsError(400, "SerializationException", "EncryptionContext must be a map of strings");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = context.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                sorted.put(e.getKey(), e.getValue().asText());
            }
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("keyId", keyId);
        ObjectNode ctx = n.putObject("context");
        sorted.forEach(ctx::put);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    private ObjectNode encrypt(JsonNode req) throws KmsError {
        String keyId = resolveKeyId(req.get("KeyId"));
        byte[] plaintext = base64Field(req, "Plaintext", true);
        if (plaintext.length == 0 || plaintext.length > 4096) {
            throw new KmsError(400, "ValidationException", "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length between 1 and 4096");
        }
        checkAlgorithm(req);
        byte[] blob = seal(keyId, plaintext, aad(keyId, req.get("EncryptionContext")));
        ObjectNode out = JSON.createObjectNode();
        out.put("CiphertextBlob", Base64.getEncoder().encodeToString(blob));
        out.put("KeyId", keyArn(keyId));
        out.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        return out;
    }

    private static void checkAlgorithm(JsonNode req) throws KmsError {
        JsonNode alg = req.get("EncryptionAlgorithm");
        if (alg != null && !alg.isNull() && !alg.asText().equals("SYMMETRIC_DEFAULT")) {
            throw new KmsError(400, "InvalidKeyUsageException", "The local KMS only has SYMMETRIC_DEFAULT keys");
        }
    }

    private ObjectNode decrypt(JsonNode req) throws KmsError {
        byte[] blob = base64Field(req, "CiphertextBlob", true);
        checkAlgorithm(req);
        if (blob.length < 1 + KEY_ID_LENGTH + IV_LENGTH + 16 || blob[0] != BLOB_VERSION) {
            throw new KmsError(400, "InvalidCiphertextException", null);
        }
        String blobKeyId = new String(blob, 1, KEY_ID_LENGTH, StandardCharsets.US_ASCII);
        if (req.hasNonNull("KeyId")) {
            String requested = resolveKeyId(req.get("KeyId"));
            if (!requested.equals(blobKeyId)) {
                throw new KmsError(400, "IncorrectKeyException",
                        "The key ID in the request does not identify a CMK that can perform this operation.");
            }
        }
        SecretKey key = keys.get(blobKeyId);
        if (key == null) {
            throw new KmsError(400, "InvalidCiphertextException", null);
        }
        byte[] plaintext;
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, blob, 1 + KEY_ID_LENGTH, IV_LENGTH));
            c.updateAAD(aad(blobKeyId, req.get("EncryptionContext")));
            int offset = 1 + KEY_ID_LENGTH + IV_LENGTH;
            plaintext = c.doFinal(blob, offset, blob.length - offset);
        } catch (GeneralSecurityException e) {
            throw new KmsError(400, "InvalidCiphertextException", null);
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("KeyId", keyArn(blobKeyId));
        out.put("Plaintext", Base64.getEncoder().encodeToString(plaintext));
        out.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
        return out;
    }

    private ObjectNode generateDataKey(JsonNode req) throws KmsError {
        String keyId = resolveKeyId(req.get("KeyId"));
        int bytes;
        if (req.hasNonNull("NumberOfBytes")) {
            bytes = req.get("NumberOfBytes").asInt();
            if (bytes < 1 || bytes > 1024) {
                throw new KmsError(400, "ValidationException", "NumberOfBytes must be between 1 and 1024");
            }
        } else {
            String spec = req.path("KeySpec").asText("");
            bytes = switch (spec) {
                case "AES_256" -> 32;
                case "AES_128" -> 16;
                default -> throw new KmsError(400, "ValidationException", "KeySpec or NumberOfBytes is required");
            };
        }
        byte[] plaintext = new byte[bytes];
        random.nextBytes(plaintext);
        byte[] blob = seal(keyId, plaintext, aad(keyId, req.get("EncryptionContext")));
        ObjectNode out = JSON.createObjectNode();
        out.put("CiphertextBlob", Base64.getEncoder().encodeToString(blob));
        out.put("Plaintext", Base64.getEncoder().encodeToString(plaintext));
        out.put("KeyId", keyArn(keyId));
        return out;
    }

    private ObjectNode describeKey(JsonNode req) throws KmsError {
        String keyId = resolveKeyId(req.get("KeyId"));
        ObjectNode out = JSON.createObjectNode();
        ObjectNode md = out.putObject("KeyMetadata");
        md.put("AWSAccountId", ACCOUNT_ID);
        md.put("KeyId", keyId);
        md.put("Arn", keyArn(keyId));
        md.put("Enabled", true);
        md.put("KeyState", "Enabled");
        md.put("KeyUsage", "ENCRYPT_DECRYPT");
        md.put("KeySpec", "SYMMETRIC_DEFAULT");
        md.put("CustomerMasterKeySpec", "SYMMETRIC_DEFAULT");
        md.put("KeyManager", "CUSTOMER");
        md.put("Origin", "AWS_KMS");
        md.putArray("EncryptionAlgorithms").add("SYMMETRIC_DEFAULT");
        return out;
    }

    private byte[] seal(String keyId, byte[] plaintext, byte[] aad) {
        try {
            byte[] iv = new byte[IV_LENGTH];
            random.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, keys.get(keyId), new GCMParameterSpec(128, iv));
            c.updateAAD(aad);
            byte[] ct = c.doFinal(plaintext);
            ByteBuffer buf = ByteBuffer.allocate(1 + KEY_ID_LENGTH + IV_LENGTH + ct.length);
            buf.put(BLOB_VERSION).put(keyId.getBytes(StandardCharsets.US_ASCII)).put(iv).put(ct);
            return buf.array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
    }
}
