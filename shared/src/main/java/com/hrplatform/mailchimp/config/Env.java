package com.hrplatform.mailchimp.config;

import java.util.Optional;

/**
 * Configuration lookup. Lambda passes configuration as environment variables; the local runner hosts
 * every function in one JVM and passes the same names as system properties, so both are read here.
 */
public final class Env {
    private Env() {
    }

    public static Optional<String> optional(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            value = System.getProperty(name);
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public static String required(String name) {
        return optional(name).orElseThrow(() -> new IllegalStateException("Missing configuration: " + name));
    }

    public static int intValue(String name, int defaultValue) {
        return optional(name).map(Integer::parseInt).orElse(defaultValue);
    }
}
