package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * HS256 JSON Web Tokens signed with the local secret ({@code LOCAL_JWT_SECRET}, default
 * {@code local-dev-secret}), standing in for the identity provider behind API Gateway's JWT authorizer.
 */
public final class LocalJwt {

    public static final String DEFAULT_SECRET = "local-dev-secret";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final byte[] secret;
    private final Clock clock;

    public LocalJwt(String secret) {
        this(secret, Clock.systemUTC());
    }

    public LocalJwt(String secret, Clock clock) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("The JWT secret must not be empty");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    /** The secret from {@code LOCAL_JWT_SECRET} (environment, then system property), else the default. */
    public static String secretFromEnvironment() {
        String s = System.getenv("LOCAL_JWT_SECRET");
        if (s == null || s.isEmpty()) {
            s = System.getProperty("LOCAL_JWT_SECRET");
        }
        return s == null || s.isEmpty() ? DEFAULT_SECRET : s;
    }

    /** A token with {@code sub}, {@code org_id}, {@code role}, {@code iat} and {@code exp}. */
    public String token(String sub, String orgId, String role, Instant expiresAt) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", sub);
        claims.put("org_id", orgId);
        claims.put("role", role);
        claims.put("iat", clock.instant().getEpochSecond());
        claims.put("exp", expiresAt.getEpochSecond());
        return sign(claims);
    }

    /** Signs arbitrary claims (values: strings, numbers, booleans, lists) with HS256. */
    public String sign(Map<String, ?> claims) {
        ObjectNode header = JSON.createObjectNode().put("alg", "HS256").put("typ", "JWT");
        String signingInput = B64.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(JSON.valueToTree(claims).toString().getBytes(StandardCharsets.UTF_8));
        return signingInput + "." + B64.encodeToString(hmac(signingInput));
    }

    private byte[] hmac(String signingInput) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /**
     * Verifies a compact JWT: three parts, header {@code alg} exactly HS256, signature (constant-time
     * comparison), {@code exp} in the future and {@code nbf} (if any) not in the future. Returns the
     * claims, or empty when the token is not acceptable (the reason is deliberately not exposed).
     */
    public Optional<JsonNode> verify(String token) {
        if (token == null) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode header = JSON.readTree(B64D.decode(parts[0]));
            if (header == null || !header.isObject() || !"HS256".equals(header.path("alg").asText())) {
                return Optional.empty();
            }
            byte[] expected = hmac(parts[0] + "." + parts[1]);
            if (!MessageDigest.isEqual(expected, B64D.decode(parts[2]))) {
                return Optional.empty();
            }
            JsonNode claims = JSON.readTree(B64D.decode(parts[1]));
            if (claims == null || !claims.isObject()) {
                return Optional.empty();
            }
            long now = clock.instant().getEpochSecond();
            JsonNode exp = claims.get("exp");
            if (exp == null || !exp.isNumber() || exp.asLong() <= now) {
                return Optional.empty();
            }
            JsonNode nbf = claims.get("nbf");
            if (nbf != null && (!nbf.isNumber() || nbf.asLong() > now)) {
                return Optional.empty();
            }
            return Optional.of(claims);
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Claims as API Gateway's JWT authorizer hands them to the Lambda: every value a string (arrays as
     * {@code [a b]}, objects as JSON).
     */
    public static Map<String, String> claimsAsStrings(JsonNode claims) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = claims.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isArray()) {
                StringBuilder sb = new StringBuilder("[");
                for (JsonNode item : v) {
                    if (sb.length() > 1) {
                        sb.append(' ');
                    }
                    sb.append(item.isValueNode() ? item.asText() : item.toString());
                }
                out.put(e.getKey(), sb.append(']').toString());
            } else if (v.isValueNode()) {
                out.put(e.getKey(), v.asText());
            } else {
                out.put(e.getKey(), v.toString());
            }
        }
        return out;
    }
}
