package com.hrplatform.mailchimp.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stateful in-memory fake of the Mailchimp Marketing API subset the product uses, on the JDK's HTTP
 * server. Marketing API under {@code /3.0} (HTTP Basic auth, the API key as password); control endpoints
 * for tests under {@code /_sandbox}.
 */
public final class MailchimpSandbox implements AutoCloseable {
  public static final String DEFAULT_API_KEY = "0123456789abcdef0123456789abcdef-us1";

  static final int THREADS = 64;
  private static final String JSON = "application/json; charset=utf-8";
  private static final String PROBLEM = "application/problem+json; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService pool;
  final SandboxState state;
  private final MarketingApi api;
  private final ControlApi control;

  private MailchimpSandbox(HttpServer server, ExecutorService pool, SandboxState state) {
    this.server = server;
    this.pool = pool;
    this.state = state;
    this.api = new MarketingApi(state.clock);
    this.control = new ControlApi(state);
  }

  /** Starts on 127.0.0.1:{@code port} (0 = any free port), seeded with the default account. */
  public static MailchimpSandbox start(int port) {
    return start(port, Clock.systemUTC());
  }

  /** As {@link #start(int)}, on the given clock: tests in this package move time on to see timestamps change. */
  static MailchimpSandbox start(int port, Clock clock) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the Mailchimp sandbox to 127.0.0.1:" + port, e);
    }
    AtomicInteger n = new AtomicInteger();
    ThreadFactory threads = r -> {
      Thread t = new Thread(r, "mailchimp-sandbox-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    ExecutorService pool = Executors.newFixedThreadPool(THREADS, threads);
    MailchimpSandbox sandbox = new MailchimpSandbox(server, pool, new SandboxState(clock));
    server.createContext("/", sandbox::handle);
    server.setExecutor(pool);
    server.start();
    return sandbox;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** What MAILCHIMP_BASE_URL is set to: {@code http://127.0.0.1:<port>/3.0}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + "/3.0";
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Requests of this key being processed right now (for tests in this package). */
  int inFlight(String apiKey) {
    Account a = state.accounts.get(apiKey);
    return a == null ? 0 : Account.MAX_IN_FLIGHT - a.inFlight.availablePermits();
  }

  /** Standalone: {@code --port 3010} (default 3010). Runs until the process is stopped. */
  public static void main(String[] args) throws InterruptedException {
    int port = 3010;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if ("--port".equals(arg) && i + 1 < args.length) {
        port = Integer.parseInt(args[++i]);
      } else if (arg.startsWith("--port=")) {
        port = Integer.parseInt(arg.substring("--port=".length()));
      } else {
        System.err.println("usage: MailchimpSandbox [--port 3010]");
        System.exit(2);
      }
    }
    MailchimpSandbox sandbox = start(port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      sandbox.close();
      stopped.countDown();
    }, "mailchimp-sandbox-shutdown"));
    System.out.println("Mailchimp sandbox listening on " + sandbox.baseUrl());
    System.out.println("API key: " + DEFAULT_API_KEY);
    System.out.println("Control: http://127.0.0.1:" + sandbox.port() + "/_sandbox/{requests,accounts,faults,config,campaigns,members,lists,reset}");
    stopped.await();
  }

  // ---------------------------------------------------------------- request handling

  private void handle(HttpExchange ex) {
    try {
      String rawPath = ex.getRequestURI().getRawPath();
      if (rawPath.equals("/_sandbox") || rawPath.startsWith("/_sandbox/")) {
        handleControl(ex, rawPath);
      } else {
        handleMarketing(ex, rawPath);
      }
    } catch (Throwable t) {
      // Never a stack trace on the wire; the exchange may already be half answered.
      try {
        send(ex, new Resp(500, new ApiError(500, "Internal Server Error",
            "An unexpected internal error has occurred. Please contact Support for more information.").body()), true);
      } catch (IOException | RuntimeException ignored) {
        // nothing more to do
      }
      if (t instanceof Error e && !(t instanceof StackOverflowError)) {
        throw e;
      }
    } finally {
      ex.close();
    }
  }

  private void handleControl(HttpExchange ex, String rawPath) throws IOException {
    byte[] body = readBody(ex);
    Resp r;
    try {
      r = control.route(ex.getRequestMethod().toUpperCase(Locale.ROOT), segments(rawPath, "/_sandbox"),
          query(ex.getRequestURI().getRawQuery()), body);
    } catch (ApiError e) {
      r = new Resp(e.status, e.body());
    }
    send(ex, r, r.status() >= 400);
  }

  private void handleMarketing(HttpExchange ex, String rawPath) throws IOException {
    long receivedAt = System.currentTimeMillis();
    String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
    byte[] body = readBody(ex);
    int members = batchMembers(method, rawPath, body);
    String key = apiKey(ex.getRequestHeaders().getFirst("Authorization"));
    Account account = key == null ? null : state.accounts.get(key);
    Call call = new Call(account, method, rawPath, members, receivedAt, key, namesMarketingPermissions(body));
    try {
      if (account != null) {
        call.permit = account.inFlight.tryAcquire();
        if (call.permit) {
          account.peakInFlight.accumulateAndGet(Account.MAX_IN_FLIGHT - account.inFlight.availablePermits(), Math::max);
        }
        if (!call.permit) {
          answer(ex, call, new ApiError(429, "Too Many Requests", Messages.TOO_MANY), 0);
          return;
        }
      }
      // The configured latency is how long a request takes: its own work (and waiting for the account)
      // happens inside it, as it would at Mailchimp, rather than on top of it.
      long answerAt = receivedAt + state.globalLatencyMs;
      boolean loseAnswer = false;
      for (FaultRule f : state.takeFaults(key, method, rawPath)) {
        switch (f.kind) {
          case "latency" -> answerAt += f.latencyMs;
          // The request waits before Mailchimp does its work (a request that arrives late at the API).
          case "hold" -> pause(f.latencyMs);
          // Mailchimp does the work, then the answer is lost (a dropped connection, status 0 in the log).
          case "lostAnswer" -> loseAnswer = true;
          case "status" -> {
            answer(ex, call, new ApiError(f.status, reason(f.status), "Injected by the sandbox fault rule " + f.id + "."), answerAt);
            return;
          }
          case "html503" -> {
            pauseUntil(answerAt);
            byte[] html = ("<!DOCTYPE html>\n<html><head><title>503 Service Temporarily Unavailable</title></head>"
                + "<body><center><h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center>"
                + "</body></html>\n").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/html");
            call.answered(503);
            ex.sendResponseHeaders(503, html.length);
            ex.getResponseBody().write(html);
            return;
          }
          case "timeout" -> {
            // Hold the request, then drop the connection without an answer (status 0 in the log).
            pause(f.holdMs());
            pauseUntil(answerAt);
            return;
          }
          default -> throw new IllegalStateException("unknown fault kind " + f.kind);
        }
      }
      if (!(rawPath.equals("/3.0") || rawPath.startsWith("/3.0/"))) {
        answer(ex, call, ApiError.notFound(), answerAt);
        return;
      }
      if (account == null) {
        answer(ex, call, new ApiError(401, "API Key Invalid", Messages.API_KEY_INVALID), answerAt);
        return;
      }
      Resp r;
      Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      try {
        List<String> path = segments(rawPath, "/3.0");
        synchronized (account) {
          r = api.route(account, method, path, query, body);
        }
      } catch (ApiError e) {
        r = new Resp(e.status, e.body());
      }
      if ("GET".equals(method) && r.status() < 300 && r.body() != null) {
        r = new Resp(r.status(), PartialResponse.apply(r.body(), query));
      }
      if (loseAnswer) {
        pauseUntil(answerAt);
        return;
      }
      send(ex, r, r.status() >= 400, answerAt, call);
    } finally {
      call.answered(0); // no answer went out (a dropped connection or a failure): status 0 in the log
    }
  }

  private void answer(HttpExchange ex, Call call, ApiError error, long answerAt) throws IOException {
    send(ex, new Resp(error.status, error.body()), true, answerAt, call);
  }

  /**
   * One marketing request's bookkeeping, done just before its answer goes out rather than after: a client holding
   * its answer sees the request's permit free again and its entry in the request log, as at Mailchimp, where a
   * request is over once it is answered.
   */
  private final class Call {
    private final Account account;
    private final String method;
    private final String rawPath;
    private final int members;
    private final long receivedAt;
    private final String apiKey;
    private final boolean marketingPermissions;
    private boolean permit;
    private boolean done;

    Call(Account account, String method, String rawPath, int members, long receivedAt, String apiKey,
        boolean marketingPermissions) {
      this.marketingPermissions = marketingPermissions;
      this.account = account;
      this.method = method;
      this.rawPath = rawPath;
      this.members = members;
      this.receivedAt = receivedAt;
      this.apiKey = apiKey;
    }

    void answered(int status) {
      if (done) {
        return;
      }
      done = true;
      if (permit) {
        account.inFlight.release();
      }
      state.log.add(new RequestLog.Entry(method, rawPath, status, members, receivedAt,
          System.currentTimeMillis() - receivedAt, apiKey, marketingPermissions));
    }
  }

  private static void pauseUntil(long epochMillis) {
    pause(epochMillis - System.currentTimeMillis());
  }

  private static void pause(long ms) {
    if (ms <= 0) {
      return;
    }
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int sendError(HttpExchange ex, ApiError e) throws IOException {
    return send(ex, new Resp(e.status, e.body()), true);
  }

  private static int send(HttpExchange ex, Resp r, boolean problem) throws IOException {
    return send(ex, r, problem, 0);
  }

  /** Answers no sooner than {@code answerAt} (epoch ms): the body is rendered first, inside the latency. */
  private static int send(HttpExchange ex, Resp r, boolean problem, long answerAt) throws IOException {
    return send(ex, r, problem, answerAt, null);
  }

  private static int send(HttpExchange ex, Resp r, boolean problem, long answerAt, Call call) throws IOException {
    if (r.body() == null) {
      pauseUntil(answerAt);
      if (call != null) {
        call.answered(r.status());
      }
      ex.sendResponseHeaders(r.status(), -1);
      return r.status();
    }
    byte[] bytes = Json.bytes(r.body());
    pauseUntil(answerAt);
    if (call != null) {
      call.answered(r.status());
    }
    ex.getResponseHeaders().set("Content-Type", problem ? PROBLEM : JSON);
    if (problem) {
      ex.getResponseHeaders().set("Link",
          "<https://us1.api.mailchimp.com/schema/3.0/ProblemDetailDocument.json>; rel=\"describedBy\"");
    }
    ex.sendResponseHeaders(r.status(), bytes.length);
    ex.getResponseBody().write(bytes);
    return r.status();
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "API Key Invalid";
      case 403 -> "Forbidden";
      case 404 -> "Resource Not Found";
      case 405 -> "Method Not Allowed";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "Error";
    };
  }

  private static byte[] readBody(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      return in.readAllBytes();
    }
  }

  /** HTTP Basic with the key as password (any username), or a Bearer token; null when absent. */
  static String apiKey(String authorization) {
    if (authorization == null) {
      return null;
    }
    String h = authorization.trim();
    int space = h.indexOf(' ');
    if (space < 0) {
      return null;
    }
    String scheme = h.substring(0, space).toLowerCase(Locale.ROOT);
    String value = h.substring(space + 1).trim();
    switch (scheme) {
      case "basic" -> {
        String decoded;
        try {
          decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : decoded.substring(colon + 1);
      }
      case "bearer", "apikey" -> {
        return value;
      }
      default -> {
        return null;
      }
    }
  }

  /** Whether a request body names {@code marketing_permissions} anywhere (for the request log). */
  private static boolean namesMarketingPermissions(byte[] body) {
    return body != null && body.length > 0
        && new String(body, java.nio.charset.StandardCharsets.UTF_8).contains("\"marketing_permissions\"");
  }

  /** How many members a batch request carries (for the request log). */
  private static int batchMembers(String method, String rawPath, byte[] body) {
    if (!"POST".equals(method) || !rawPath.startsWith("/3.0/lists/")) {
      return 0;
    }
    List<String> p = segments(rawPath, "/3.0");
    boolean subscribe = p.size() == 2;
    boolean segment = p.size() == 4 && "segments".equals(p.get(2));
    if (!subscribe && !segment) {
      return 0;
    }
    try {
      JsonNode node = Json.parse(body);
      if (subscribe) {
        return node.path("members").size();
      }
      return node.path("members_to_add").size() + node.path("members_to_remove").size();
    } catch (IOException e) {
      return 0;
    }
  }

  private static List<String> segments(String rawPath, String prefix) {
    String rest = rawPath.substring(prefix.length());
    if (rest.isEmpty() || rest.equals("/")) {
      return Collections.emptyList();
    }
    List<String> out = new ArrayList<>();
    for (String s : rest.substring(1).split("/", -1)) {
      out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
    }
    if (out.size() > 1 && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1); // a trailing slash
    }
    return out;
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.putIfAbsent(k, v);
    }
    return out;
  }
}
