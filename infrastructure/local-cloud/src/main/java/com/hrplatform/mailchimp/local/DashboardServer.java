package com.hrplatform.mailchimp.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The dashboard's static files on a port of their own, as a static host (S3 + CloudFront) serves them in AWS:
 * the page's origin differs from the API's, so every call it makes is cross-origin and goes through CORS.
 * {@code config.js} is answered with the API's URL, as a deployment writes it.
 */
final class DashboardServer {

    private final HttpServer server;
    private final Path root;
    private volatile String apiUrl = "";

    DashboardServer(HttpServer server, Path dashboardDir) {
        this.server = server;
        this.root = dashboardDir.toAbsolutePath().normalize();
        server.createContext("/", this::handle);
    }

    /** The origin the page is served from, e.g. {@code http://127.0.0.1:3003} (what CORS must allow). */
    String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Starts serving; the page calls the API at {@code apiUrl}. */
    void start(String apiUrl) {
        this.apiUrl = apiUrl;
        server.start();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
            if (!method.equals("GET") && !method.equals("HEAD")) {
                Http.sendJson(ex, 405, "{\"message\":\"Method Not Allowed\"}");
                return;
            }
            String rel = decode(ex.getRequestURI().getRawPath()).replaceFirst("^/+", "");
            if (rel.equals("config.js")) {
                String js = "// Written by the local runner: the API is at another origin, as in AWS.\n"
                        + "export default { apiBaseUrl: " + Http.JSON.writeValueAsString(apiUrl) + " };\n";
                Http.send(ex, 200, contentType(rel), js.getBytes(StandardCharsets.UTF_8));
                return;
            }
            Path file = root.resolve(rel.isEmpty() ? "index.html" : rel).normalize();
            if (Files.isDirectory(file)) {
                file = file.resolve("index.html");
            }
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                Http.sendJson(ex, 404, "{\"message\":\"Not Found\"}");
                return;
            }
            Http.send(ex, 200, contentType(file.getFileName().toString()), Files.readAllBytes(file));
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static String contentType(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".html") || n.endsWith(".htm")) {
            return "text/html; charset=utf-8";
        } else if (n.endsWith(".js") || n.endsWith(".mjs")) {
            return "text/javascript; charset=utf-8";
        } else if (n.endsWith(".css")) {
            return "text/css; charset=utf-8";
        } else if (n.endsWith(".json") || n.endsWith(".map")) {
            return "application/json";
        } else if (n.endsWith(".svg")) {
            return "image/svg+xml";
        } else if (n.endsWith(".png")) {
            return "image/png";
        } else if (n.endsWith(".ico")) {
            return "image/x-icon";
        }
        return "application/octet-stream";
    }
}
