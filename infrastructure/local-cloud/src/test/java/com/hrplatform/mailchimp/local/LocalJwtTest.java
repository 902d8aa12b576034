package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalJwtTest {

    private final LocalJwt jwt = new LocalJwt("test-secret");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private static String b64(String s) {
        return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void verifiesAGoodToken() {
        String token = jwt.token("u1", "org-1", "admin", Instant.now().plus(Duration.ofMinutes(5)));
        JsonNode claims = jwt.verify(token).orElseThrow();
        assertEquals("u1", claims.get("sub").asText());
        assertEquals("org-1", claims.get("org_id").asText());
        assertEquals("admin", claims.get("role").asText());
    }

    @Test
    void rejectsAForgedSignatureAndAnotherSecret() {
        String token = jwt.token("u1", "org-1", "admin", Instant.now().plus(Duration.ofMinutes(5)));
        String[] parts = token.split("\\.");
        String tamperedClaims = parts[0] + "." + b64("{\"sub\":\"u1\",\"org_id\":\"org-2\",\"role\":\"admin\",\"exp\":"
                + (Instant.now().getEpochSecond() + 300) + "}") + "." + parts[2];
        assertTrue(jwt.verify(tamperedClaims).isEmpty(), "claims changed under the old signature");
        String otherSecret = new LocalJwt("other-secret").token("u1", "org-1", "admin", Instant.now().plus(Duration.ofMinutes(5)));
        assertTrue(jwt.verify(otherSecret).isEmpty());
        char last = parts[2].charAt(0);
        String flipped = parts[0] + "." + parts[1] + "." + (last == 'A' ? 'B' : 'A') + parts[2].substring(1);
        assertTrue(jwt.verify(flipped).isEmpty());
    }

    @Test
    void rejectsAlgNoneAndOtherAlgorithms() {
        String claims = b64("{\"sub\":\"u1\",\"org_id\":\"org-1\",\"role\":\"admin\",\"exp\":" + (Instant.now().getEpochSecond() + 300) + "}");
        assertTrue(jwt.verify(b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + claims + ".").isEmpty());
        assertTrue(jwt.verify(b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + claims + ".c2ln").isEmpty());
        // A correct HS256 MAC under a header that claims another algorithm is still refused.
        String signedAsHs512Header = jwt.sign(Map.of("sub", "u1", "exp", Instant.now().getEpochSecond() + 300));
        String[] p = signedAsHs512Header.split("\\.");
        assertTrue(jwt.verify(b64("{\"alg\":\"HS512\",\"typ\":\"JWT\"}") + "." + p[1] + "." + p[2]).isEmpty());
        assertTrue(jwt.verify("not-a-jwt").isEmpty());
        assertTrue(jwt.verify(null).isEmpty());
    }

    @Test
    void rejectsExpiredNotYetValidAndMissingExpiry() {
        assertTrue(jwt.verify(jwt.token("u1", "org-1", "admin", Instant.now().minusSeconds(1))).isEmpty());
        long now = Instant.now().getEpochSecond();
        assertTrue(jwt.verify(jwt.sign(Map.of("sub", "u1", "exp", now + 300, "nbf", now + 120))).isEmpty());
        assertTrue(jwt.verify(jwt.sign(Map.of("sub", "u1", "exp", now + 300, "nbf", now - 10))).isPresent());
        assertTrue(jwt.verify(jwt.sign(Map.of("sub", "u1"))).isEmpty());
    }

    @Test
    void claimsAreStringsAsTheJwtAuthorizerPassesThem() throws Exception {
        JsonNode claims = new ObjectMapper().readTree("{\"sub\":\"u\",\"exp\":1700000000,\"admin\":true,\"groups\":[\"a\",\"b\"],\"o\":{\"k\":1}}");
        Map<String, String> s = LocalJwt.claimsAsStrings(claims);
        assertEquals("1700000000", s.get("exp"));
        assertEquals("true", s.get("admin"));
        assertEquals("[a b]", s.get("groups"));
        assertEquals("{\"k\":1}", s.get("o"));
        assertEquals(List.of("sub", "exp", "admin", "groups", "o"), List.copyOf(s.keySet()));
    }
}
