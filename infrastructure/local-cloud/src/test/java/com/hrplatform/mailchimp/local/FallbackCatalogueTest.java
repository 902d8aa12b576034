package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.hrplatform.mailchimp.functions.TrpcFallbackHandler;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fallback's catalogue of procedures (which answers METHOD_NOT_SUPPORTED for a procedure asked with the wrong
 * method) is the template's routes: every GET route a query, every POST route a mutation, nothing else.
 */
class FallbackCatalogueTest {

    @Test
    void theCatalogueIsTheTemplatesRoutes() {
        JsonNode template = TemplateChecksTestSupport.read(TemplateChecksTestSupport.projectTemplate());
        Set<String> queries = new TreeSet<>();
        Set<String> mutations = new TreeSet<>();
        TemplateChecksTestSupport.resourcesOfType(template, TemplateChecksTestSupport.SERVERLESS_FUNCTION).values()
                .forEach(function -> function.path("Properties").path("Events").forEach(event -> {
                    String path = event.path("Properties").path("Path").asText();
                    if (!"HttpApi".equals(event.path("Type").asText()) || !path.startsWith("/trpc/") || path.contains("{")) {
                        return;
                    }
                    String method = event.path("Properties").path("Method").asText();
                    (method.equals("GET") ? queries : mutations).add(path.substring("/trpc/".length()));
                    assertTrue(method.equals("GET") || method.equals("POST"), () -> path + " " + method);
                }));
        assertEquals(queries, new TreeSet<>(TrpcFallbackHandler.QUERIES), "queries: GET routes");
        assertEquals(mutations, new TreeSet<>(TrpcFallbackHandler.MUTATIONS), "mutations: POST routes");
    }
}
