package com.hrplatform.mailchimp.api;

/** Queries are read with GET, mutations with POST, as tRPC's HTTP link sends them. */
public enum ProcedureType {
    QUERY("GET"), MUTATION("POST");

    public final String httpMethod;

    ProcedureType(String httpMethod) {
        this.httpMethod = httpMethod;
    }
}
