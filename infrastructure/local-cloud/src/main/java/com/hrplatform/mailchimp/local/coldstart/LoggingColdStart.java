package com.hrplatform.mailchimp.local.coldstart;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;

/**
 * Child JVM of {@link ColdStartProbe}, on the product's jar: only the logging start, the first
 * {@code LoggerFactory.getLogger} (SLF4J finds the product's JSON back-end) and a call below the level. Shows how much of the handler's extra time is the logging back-end.
 */
public final class LoggingColdStart {
    private LoggingColdStart() {
    }

    public static void main(String[] args) {
        long mainAt = System.currentTimeMillis();
        Logger log = LoggerFactory.getLogger("com.hrplatform.mailchimp.coldstart");
        long builtAt = System.currentTimeMillis();
        log.debug("below the configured level: nothing is written");
        long answeredAt = System.currentTimeMillis();
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        int classes = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
        System.out.println("COLDSTART kind=logging jvmStart=" + jvmStart + " main=" + (mainAt - jvmStart)
                + " built=" + (builtAt - jvmStart) + " answered=" + (answeredAt - jvmStart) + " classes=" + classes
                + " status=200 body=" + log.getClass().getName());
        System.out.flush();
        System.out.println("COLDSTART-END printed=" + (System.currentTimeMillis() - jvmStart));
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
