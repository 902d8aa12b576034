package com.hrplatform.mailchimp.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** A plain java.net.http client for the sandbox, as other JVMs would use it. */
final class SandboxClient {
  static final ObjectMapper MAPPER = new ObjectMapper();

  final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  final String root;

  SandboxClient(MailchimpSandbox sandbox) {
    this.root = "http://127.0.0.1:" + sandbox.port();
  }

  record Res(int status, String contentType, String body) {
    JsonNode json() {
      try {
        return MAPPER.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }
  }

  static String basic(String key) {
    return "Basic " + Base64.getEncoder().encodeToString(("anystring:" + key).getBytes(StandardCharsets.UTF_8));
  }

  /** A Marketing API call with the default key. */
  Res api(String method, String path, Object body) {
    return call(method, path, MailchimpSandbox.DEFAULT_API_KEY, body);
  }

  Res call(String method, String path, String key, Object body) {
    return send(request(method, path, key, body, Duration.ofSeconds(20)));
  }

  /** A control-endpoint call (no auth). */
  Res control(String method, String path, Object body) {
    return call(method, path, null, body);
  }

  JsonNode ok(String method, String path, Object body) {
    Res r = api(method, path, body);
    assertEquals(200, r.status(), () -> method + " " + path + " -> " + r.body());
    return r.json();
  }

  HttpRequest request(String method, String path, String key, Object body, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + path)).timeout(timeout);
    if (key != null) {
      b.header("Authorization", basic(key));
    }
    String text;
    try {
      text = body == null ? null : body instanceof String s ? s : MAPPER.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (text != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
    return b.build();
  }

  Res send(HttpRequest request) {
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Res(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Id of a seeded list of the default account, by name. */
  String listId(String name) {
    for (JsonNode l : ok("GET", "/3.0/lists?count=100", null).path("lists")) {
      if (name.equals(l.path("name").asText())) {
        return l.path("id").asText();
      }
    }
    throw new AssertionError("no list named " + name);
  }

  static String hash(String email) {
    return Json.subscriberHash(email);
  }
}
