package com.hrplatform.mailchimp.logging;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;

import java.time.Instant;
import java.util.Map;

/** An SLF4J logger writing {@link JsonLines} to whatever {@code System.out} is at the time (tests capture it). */
final class JsonLinesLogger extends LegacyAbstractLogger {
    private final transient JsonLinesProvider provider;

    JsonLinesLogger(String name, JsonLinesProvider provider) {
        this.name = name;
        this.provider = provider;
    }

    private boolean enabled(Level level) {
        return level.toInt() >= provider.threshold(name).toInt();
    }

    @Override
    public boolean isTraceEnabled() {
        return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                               Throwable error) {
        Map<String, String> mdc = provider.mdcAdapter().getCopyOfContextMap();
        String line = JsonLines.line(level, pattern, arguments, error, mdc == null ? Map.of() : mdc,
                provider.service(), Instant.now());
        System.out.println(line);
    }
}
