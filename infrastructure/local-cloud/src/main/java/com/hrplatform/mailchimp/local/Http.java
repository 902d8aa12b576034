package com.hrplatform.mailchimp.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.function.IntFunction;

/** Small helpers around the JDK HTTP server. */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper();

    private Http() {
    }

    static HttpServer bind(int port, ExecutorService executor, String what) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
            s.setExecutor(executor);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind the " + what + " to 127.0.0.1:" + port
                    + (port != 0 ? " (is another local cloud running?)" : ""), e);
        }
    }

    /** A currently free port on 127.0.0.1 (for servers that cannot report the port they picked). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a server on a free port it cannot pick itself. Another process may bind the port between our picking it
     * and the server binding it: a start whose failure message contains {@code lostRace} is tried again on another port.
     */
    static <T> T startOnFreePort(IntFunction<T> start, String lostRace) {
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return start.apply(freePort());
            } catch (IllegalStateException e) {
                if (e.getMessage() == null || !e.getMessage().contains(lostRace)) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    static byte[] body(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            return in.readAllBytes();
        }
    }

    static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            ex.getResponseHeaders().set("Content-Type", contentType);
        }
        boolean noBody = status == 204 || status == 304 || "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(status, noBody ? -1 : body.length == 0 ? -1 : body.length);
        if (!noBody && body.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        }
    }

    static void sendJson(HttpExchange ex, int status, Object value) throws IOException {
        byte[] bytes = value instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : JSON.writeValueAsBytes(value);
        send(ex, status, "application/json", bytes);
    }

    /** A one-line, secret-free description of an error message: first line, bounded length. */
    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String line = s.lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
