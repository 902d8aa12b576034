package com.hrplatform.mailchimp.logging;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import software.amazon.lambda.powertools.logging.internal.LoggingManager;

/** Lets Powertools set the level ({@code POWERTOOLS_LOG_LEVEL}, sampling) on {@link JsonLinesProvider}. */
public final class JsonLinesLoggingManager implements LoggingManager {
    @Override
    public void setLogLevel(Level level) {
        if (LoggerFactory.getILoggerFactory() instanceof JsonLinesProvider provider) {
            provider.setEverything(level);
        }
    }

    @Override
    public Level getLogLevel(Logger logger) {
        return LoggerFactory.getILoggerFactory() instanceof JsonLinesProvider provider
                ? provider.threshold(logger.getName()) : Level.INFO;
    }
}
