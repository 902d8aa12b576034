package com.hrplatform.mailchimp.api;

import java.util.Optional;

public enum Role {
    ADMIN, MEMBER;

    public static Optional<Role> fromClaim(String claim) {
        if ("admin".equals(claim)) {
            return Optional.of(ADMIN);
        }
        if ("member".equals(claim)) {
            return Optional.of(MEMBER);
        }
        return Optional.empty();
    }

    public boolean satisfies(Role required) {
        return this == ADMIN || required == MEMBER;
    }
}
