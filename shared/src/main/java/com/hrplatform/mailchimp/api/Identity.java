package com.hrplatform.mailchimp.api;

import java.util.Map;

/**
 * Who is calling: the JWT claims API Gateway's authorizer verified. Every read and write is scoped to
 * {@link #orgId()}.
 */
public record Identity(String userId, String orgId, Role role) {

    public static Identity fromClaims(Map<String, String> claims) {
        String sub = claims == null ? null : claims.get("sub");
        String orgId = claims == null ? null : claims.get("org_id");
        if (isBlank(sub) || isBlank(orgId)) {
            throw new TrpcException(TrpcCode.UNAUTHORIZED, "Missing or invalid token");
        }
        Role role = Role.fromClaim(claims.get("role")).orElseThrow(
                () -> new TrpcException(TrpcCode.FORBIDDEN, "Your account has no role in this organisation"));
        return new Identity(sub, orgId, role);
    }

    /** The actor written to audit entries. */
    public String actor() {
        return "user:" + userId;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
