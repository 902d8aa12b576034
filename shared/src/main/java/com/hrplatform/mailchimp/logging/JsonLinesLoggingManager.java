package com.hrplatform.mailchimp.logging;

import org.slf4j.Logger;
import org.slf4j.event.Level;
import software.amazon.lambda.powertools.logging.internal.LoggingManager;

/** Lets Powertools set the level ({@code POWERTOOLS_LOG_LEVEL}, sampling) on {@link JsonLinesProvider}. */
public final class JsonLinesLoggingManager implements LoggingManager {
    @Override
    public void setLogLevel(Level level) {
        JsonLinesProvider provider = JsonLinesProvider.current();
        if (provider != null) {
            provider.setEverything(level);
        }
    }

    @Override
    public Level getLogLevel(Logger logger) {
        JsonLinesProvider provider = JsonLinesProvider.current();
        return provider == null ? Level.INFO : provider.threshold(logger.getName());
    }
}
