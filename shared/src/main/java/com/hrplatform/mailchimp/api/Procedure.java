package com.hrplatform.mailchimp.api;

import com.fasterxml.jackson.databind.JsonNode;

/** One tRPC procedure: its path, HTTP type, the role it needs and what it does. */
public record Procedure(String path, ProcedureType type, Role requiredRole, Body body) {

    @FunctionalInterface
    public interface Body {
        /** Returns the output (serialised as JSON; null is a valid output) or throws {@link TrpcException}. */
        Object call(Identity identity, JsonNode input);
    }
}
