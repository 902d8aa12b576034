package com.hrplatform.mailchimp.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Lambda Invoke API as {@code sam local start-lambda} serves it:
 * {@code POST /2015-03-31/functions/{FunctionLogicalId}/invocations}, so an SDK LambdaClient or plain HTTP works.
 */
final class InvokeServer {

    private static final Pattern INVOKE = Pattern.compile("/2015-03-31/functions/([^/]+)/invocations/?");

    private final HttpServer server;
    private final Map<String, FunctionHost> functions;
    private final ExecutorService async;

    InvokeServer(HttpServer server, ExecutorService async, Map<String, FunctionHost> functions) {
        this.functions = functions;
        this.async = async;
        this.server = server;
        server.createContext("/", this::handle);
    }

    void start() {
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = Http.body(ex);
            Matcher m = INVOKE.matcher(ex.getRequestURI().getPath());
            if (!m.matches() || !ex.getRequestMethod().equalsIgnoreCase("POST")) {
                ex.getResponseHeaders().set("x-amzn-ErrorType", "UnknownOperationException");
                Http.sendJson(ex, 404, "{\"Type\":\"User\",\"Message\":\"Unknown operation\"}");
                return;
            }
            String name = m.group(1);
            if (name.startsWith("arn:")) {
                String[] parts = name.split(":");
                name = parts.length >= 7 ? parts[6] : name;
            }
            FunctionHost fn = functions.get(name);
            if (fn == null) {
                ex.getResponseHeaders().set("x-amzn-ErrorType", "ResourceNotFoundException");
                Http.sendJson(ex, 404, Http.JSON.createObjectNode().put("Type", "User")
                        .put("Message", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:" + name));
                return;
            }
            String event = new String(body, StandardCharsets.UTF_8);
            String type = ex.getRequestHeaders().getFirst("X-Amz-Invocation-Type");
            if ("DryRun".equals(type)) {
                Http.send(ex, 204, null, new byte[0]);
                return;
            }
            if ("Event".equals(type)) {
                async.submit(() -> log(fn, fn.invoke(event)));
                Http.send(ex, 202, null, new byte[0]);
                return;
            }
            FunctionHost.Result r = fn.invoke(event);
            log(fn, r);
            ex.getResponseHeaders().set("X-Amz-Executed-Version", "$LATEST");
            if (r.failed()) {
                ex.getResponseHeaders().set("X-Amz-Function-Error", "Unhandled");
                Http.sendJson(ex, 200, Http.JSON.createObjectNode().put("errorMessage", r.errorMessage())
                        .put("errorType", r.errorType()));
            } else {
                Http.sendJson(ex, 200, r.json());
            }
        }
    }

    private static void log(FunctionHost fn, FunctionHost.Result r) {
        System.out.println("[invoke] " + fn.id() + (r.failed() ? " failed: " + r.errorType() + ": " + Http.oneLine(r.errorMessage()) : " ok"));
    }
}
