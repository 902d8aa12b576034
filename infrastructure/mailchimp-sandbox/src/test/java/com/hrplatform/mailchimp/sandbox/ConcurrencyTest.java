package com.hrplatform.mailchimp.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The 10 in-flight requests per key limit, thread safety under parallel writes, and a 100k audience. */
class ConcurrencyTest {
  static MailchimpSandbox sandbox;
  static SandboxClient c;
  static ExecutorService threads;

  @BeforeAll
  static void start() {
    sandbox = MailchimpSandbox.start(0);
    c = new SandboxClient(sandbox);
    threads = Executors.newFixedThreadPool(32);
  }

  @AfterAll
  static void stop() {
    threads.shutdownNow();
    sandbox.close();
  }

  @BeforeEach
  void reset() {
    assertEquals(204, c.control("POST", "/_sandbox/reset", null).status());
  }

  /** Waits (bounded) until the sandbox reports this many in-flight requests for the key. */
  static void awaitInFlight(String key, int n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (sandbox.inFlight(key) < n) {
      assertTrue(System.nanoTime() < deadline, "only " + sandbox.inFlight(key) + " requests in flight");
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }

  @Test
  void eleventhSimultaneousRequestOfAKeyGets429() {
    String key = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-us5";
    c.control("POST", "/_sandbox/accounts", Map.of("apiKey", key, "accountName", "Busy Co", "seed", true));
    // Hold the first 10 requests of this key in flight for a while.
    c.control("POST", "/_sandbox/faults", Map.of("kind", "latency", "latencyMs", 2000, "apiKey", key, "count", 10));
    List<CompletableFuture<SandboxClient.Res>> held = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      held.add(CompletableFuture.supplyAsync(() -> c.call("GET", "/3.0/ping", key, null), threads));
    }
    awaitInFlight(key, 10);

    SandboxClient.Res eleventh = c.call("GET", "/3.0/lists", key, null);
    MarketingApiTest.assertProblem(eleventh, 429, "Too Many Requests");
    assertEquals(200, c.api("GET", "/3.0/ping", null).status(), "another key is not limited by this one");

    for (CompletableFuture<SandboxClient.Res> f : held) {
      assertEquals(200, f.join().status());
    }
    assertEquals(0, sandbox.inFlight(key), "permits released");
    assertEquals(200, c.call("GET", "/3.0/lists", key, null).status(), "the key works again");
    long limited = 0;
    for (JsonNode e : c.control("GET", "/_sandbox/requests", null).json()) {
      limited += e.path("status").asInt() == 429 ? 1 : 0;
    }
    assertEquals(1, limited, "exactly one request was limited");
    JsonNode peak = c.control("GET", "/_sandbox/peak?apiKey=" + key, null).json();
    assertEquals(10, peak.path("peakInFlight").asInt(), peak::toString);
    assertEquals(0, peak.path("inFlight").asInt());
    assertEquals(204, c.control("DELETE", "/_sandbox/peak?apiKey=" + key, null).status());
    assertEquals(200, c.call("GET", "/3.0/lists", key, null).status());
    assertEquals(1, c.control("GET", "/_sandbox/peak?apiKey=" + key, null).json().path("peakInFlight").asInt(),
        "counted again from the reset");
    assertEquals(404, c.control("GET", "/_sandbox/peak?apiKey=nobody", null).status());
  }

  @Test
  void errorsAndFaultsReleaseTheirPermits() {
    c.control("POST", "/_sandbox/faults", Map.of("kind", "status", "status", 500, "count", 15));
    for (int i = 0; i < 15; i++) {
      assertEquals(500, c.api("GET", "/3.0/lists", null).status());
    }
    for (int i = 0; i < 15; i++) {
      assertEquals(404, c.api("GET", "/3.0/lists/none", null).status());
    }
    assertEquals(0, sandbox.inFlight(MailchimpSandbox.DEFAULT_API_KEY));
    assertEquals(200, c.api("GET", "/3.0/lists", null).status());
  }

  /**
   * A request is over once it is answered: a client holding the answer finds its permit free and its entry in the
   * request log. (The sandbox once did both after writing the answer, so a quick look could see 1 in flight.)
   */
  @Test
  void theAnswerComesAfterThePermitIsFreeAndTheRequestIsLogged() {
    c.control("POST", "/_sandbox/faults", Map.of("kind", "status", "status", 503, "count", 100));
    for (int i = 0; i < 300; i++) {
      int status = c.api("GET", i % 3 == 0 ? "/3.0/lists/none" : "/3.0/lists", null).status();
      assertEquals(i < 100 ? 503 : i % 3 == 0 ? 404 : 200, status);
      assertEquals(0, sandbox.inFlight(MailchimpSandbox.DEFAULT_API_KEY), "in flight after answer " + i);
      assertEquals(i + 1, c.control("GET", "/_sandbox/requests", null).json().size(), "logged before answer " + i);
    }
  }

  @Test
  void parallelBatchesFromTenClientsLoseNothing() {
    String list = c.listId("Vendors & Contractors");
    List<CompletableFuture<JsonNode>> batches = new ArrayList<>();
    for (int b = 0; b < 10; b++) {
      int batch = b;
      batches.add(CompletableFuture.supplyAsync(() -> {
        List<Object> members = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          members.add(Map.of("email_address", "p" + batch + "-" + i + "@example.com", "status", "subscribed"));
        }
        return c.ok("POST", "/3.0/lists/" + list, Map.of("members", members, "update_existing", true));
      }, threads));
    }
    int created = 0;
    for (CompletableFuture<JsonNode> f : batches) {
      created += f.join().path("total_created").asInt();
    }
    assertEquals(2000, created);
    assertEquals(2001, c.ok("GET", "/3.0/lists/" + list + "/members?count=1", null).path("total_items").asInt());
    assertEquals(2001, c.ok("GET", "/3.0/lists/" + list, null).path("stats").path("member_count").asInt());
  }

  @Test
  void audienceOf100kMembersSyncsInBatchesAndPages() {
    String list = c.listId("Employees");
    int total = 100_000;
    List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
    for (int start = 0; start < total; start += 500) {
      int from = start;
      calls.add(CompletableFuture.supplyAsync(() -> {
        List<Object> members = new ArrayList<>(500);
        for (int i = from; i < from + 500; i++) {
          members.add(Map.of("email_address", "employee" + i + "@bigco.example.com", "status", "subscribed",
              "merge_fields", Map.of("FNAME", "E" + i, "LNAME", "Worker")));
        }
        return c.ok("POST", "/3.0/lists/" + list, Map.of("members", members, "update_existing", true));
      }, threads));
      if (calls.size() == 8) {
        calls.forEach(f -> assertEquals(500, f.join().path("total_created").asInt()));
        calls.clear();
      }
    }
    calls.forEach(f -> assertEquals(500, f.join().path("total_created").asInt()));
    JsonNode last = c.ok("GET", "/3.0/lists/" + list + "/members?count=1000&offset=99000&status=subscribed", null);
    assertEquals(total + 3, last.path("total_items").asInt());
    assertEquals(1000, last.path("members").size());
    assertEquals(total + 3, c.ok("GET", "/3.0/lists/" + list, null).path("stats").path("member_count").asInt());
    long batches = 0;
    long members = 0;
    for (JsonNode e : c.control("GET", "/_sandbox/requests", null).json()) {
      if ("POST".equals(e.path("method").asText())) {
        batches++;
        members += e.path("members").asInt();
      }
    }
    assertEquals(200, batches);
    assertEquals(total, members);
  }
}
