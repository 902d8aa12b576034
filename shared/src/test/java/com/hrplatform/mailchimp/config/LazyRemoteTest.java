package com.hrplatform.mailchimp.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 11, point 8: a secret that failed to load once is loaded again, not broken for the container's life. */
class LazyRemoteTest {
    @Test
    void aLoadThatFailsIsRetriedAndTheValueIsKeptOnceLoaded() {
        AtomicInteger calls = new AtomicInteger();
        LazyRemote<String> secret = new LazyRemote<>("The secret", () -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("KMS throttled");
            }
            return "s3cret";
        }, 3, Duration.ZERO);
        assertEquals("s3cret", secret.get());
        assertEquals("s3cret", secret.get());
        assertEquals(3, calls.get(), "loaded once, after two failures");
    }

    @Test
    void aLoadThatKeepsFailingIsTriedAgainOnTheNextUse() {
        AtomicInteger calls = new AtomicInteger();
        LazyRemote<String> secret = new LazyRemote<>("The secret", () -> {
            if (calls.incrementAndGet() <= 2) {
                throw new IllegalStateException("DynamoDB unavailable");
            }
            return "s3cret";
        }, 2, Duration.ZERO);
        IllegalStateException failed = assertThrows(IllegalStateException.class, secret::get);
        assertTrue(failed.getMessage().contains("next use tries again"));
        assertEquals("s3cret", secret.get(), "the container is not broken for its life");
    }
}
