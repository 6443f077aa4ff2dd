package dev.conveyor.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real HTTP client for the service under test, optionally holding an API key. */
public final class Api {

  public static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final int port;
  private final @Nullable String key;
  private final long clientId;

  public Api(int port, @Nullable String key) {
    this(port, key, -1);
  }

  Api(int port, @Nullable String key, long clientId) {
    this.port = port;
    this.key = key;
    this.clientId = clientId;
  }

  public long clientId() {
    return clientId;
  }

  public @Nullable String key() {
    return key;
  }

  /** A response, its body as text and (when JSON) parsed. */
  public record Response(int status, java.net.http.HttpHeaders headers, String body) {

    public JsonNode json() {
      return JSON.readTree(body);
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    public String contentType() {
      return headers.firstValue("Content-Type").orElse("");
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  public Response get(String path) {
    return exchange(request(path).GET());
  }

  public Response get(String path, Map<String, String> headers) {
    HttpRequest.Builder builder = request(path).GET();
    headers.forEach(builder::header);
    return exchange(builder);
  }

  public HttpResponse<byte[]> getBytes(String path) {
    return send(request(path).GET(), HttpResponse.BodyHandlers.ofByteArray());
  }

  public Response post(String path, String json) {
    return post(path, json, Map.of());
  }

  public Response post(String path, String body, Map<String, String> headers) {
    HttpRequest.Builder builder = request(path).POST(HttpRequest.BodyPublishers.ofString(body));
    if (!headers.containsKey("Content-Type")) {
      builder.header("Content-Type", "application/json");
    }
    headers.forEach(builder::header);
    return exchange(builder);
  }

  /** Posts a body of unknown length (chunked transfer encoding, no Content-Length). */
  public Response postChunked(String path, String contentType, byte[] body) {
    HttpRequest.Builder builder =
        request(path)
            .header("Content-Type", contentType)
            .POST(
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(body)));
    return exchange(builder);
  }

  public Response method(String method, String path, @Nullable String json) {
    HttpRequest.Builder builder =
        request(path)
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      builder.header("Content-Type", "application/json");
    }
    return exchange(builder);
  }

  /** Opens an event stream; the caller reads lines until it ends. */
  public HttpResponse<Stream<String>> stream(String path) {
    return send(
        request(path).header("Accept", "text/event-stream").timeout(Duration.ofSeconds(30)).GET(),
        HttpResponse.BodyHandlers.ofLines());
  }

  /** Submits a report; returns the response. */
  public Response submit(String json) {
    return post("/api/reports", json);
  }

  /** Submits a valid voterList report and returns its id. */
  public String submitVoterList() {
    return submitVoterList(null);
  }

  public String submitVoterList(@Nullable String callbackUrl) {
    String body =
        callbackUrl == null
            ? "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\"Kings\"}}"
            : "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\"Kings\"},"
                + "\"callbackUrl\":\""
                + callbackUrl
                + "\"}";
    Response r = submit(body);
    if (r.status() != 202) {
      throw new AssertionError("submit failed: " + r);
    }
    return r.json().get("reportId").asString();
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(30));
    Optional.ofNullable(key).ifPresent(k -> builder.header("Authorization", "Bearer " + k));
    return builder;
  }

  private static <T> HttpResponse<T> send(
      HttpRequest.Builder builder, HttpResponse.BodyHandler<T> handler) {
    try {
      return HTTP.send(builder.build(), handler);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Response exchange(HttpRequest.Builder builder) {
    HttpResponse<String> r = send(builder, HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.headers(), r.body());
  }
}
