package com.hrplatform.mailchimp.local;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Everything printed to System.out and System.err in this test JVM from the moment the shared local
 * cloud starts: the hosted functions' JSON logs (the logging back-end writes to the System.out of the moment) and the
 * runner's own lines. Tests scan it for secrets and for log events; output still reaches the console.
 */
final class CapturedOutput {
    private static final ByteArrayOutputStream BUFFER = new ByteArrayOutputStream();
    private static boolean installed;

    private CapturedOutput() {
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        System.setOut(new PrintStream(new Tee(System.out), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(System.err), true, StandardCharsets.UTF_8));
        installed = true;
    }

    /** All captured output so far. */
    static String text() {
        synchronized (BUFFER) {
            return BUFFER.toString(StandardCharsets.UTF_8);
        }
    }

    private static final class Tee extends OutputStream {
        private final OutputStream original;

        Tee(OutputStream original) {
            this.original = original;
        }

        @Override
        public void write(int b) {
            synchronized (BUFFER) {
                BUFFER.write(b);
            }
            try {
                original.write(b);
            } catch (java.io.IOException ignored) {
                // The console going away must not fail a test.
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            synchronized (BUFFER) {
                BUFFER.write(bytes, offset, length);
            }
            try {
                original.write(bytes, offset, length);
            } catch (java.io.IOException ignored) {
                // The console going away must not fail a test.
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            original.flush();
        }
    }
}
