package com.hrplatform.mailchimp.config;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * A value loaded with a remote call on first use (a secret from DynamoDB and KMS), kept once loaded. A failed load
 * is retried a few times at once and again on the next use; it is never cached, so one failure at a cold start does
 * not break the container for its life, as a static initializer would (ExceptionInInitializerError, then
 * NoClassDefFoundError on every later use).
 */
public final class LazyRemote<T> implements Supplier<T> {
    private final String what;
    private final Supplier<T> loader;
    private final int attempts;
    private final Duration pause;
    private volatile T value;

    public LazyRemote(String what, Supplier<T> loader, int attempts, Duration pause) {
        this.what = what;
        this.loader = loader;
        this.attempts = attempts;
        this.pause = pause;
    }

    @Override
    public T get() {
        T loaded = value;
        if (loaded != null) {
            return loaded;
        }
        synchronized (this) {
            if (value != null) {
                return value;
            }
            RuntimeException last = null;
            for (int attempt = 1; attempt <= attempts; attempt++) {
                try {
                    value = loader.get();
                    return value;
                } catch (RuntimeException e) {
                    last = e;
                    if (attempt < attempts) {
                        sleep(pause.multipliedBy(attempt));
                    }
                }
            }
            throw new IllegalStateException(what + " could not be loaded; the next use tries again", last);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
