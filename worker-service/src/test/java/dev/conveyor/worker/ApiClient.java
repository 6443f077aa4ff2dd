package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A client of the API under test: real HTTP with an API key. */
record ApiClient(int port, String key) {

  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** {@code POST /api/reports}; the new report's id. */
  String submit(String body) {
    HttpResponse<String> r =
        send(
            request("/api/reports")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return JSON.readTree(r.body()).get("reportId").asString();
  }

  JsonNode getJson(String path) {
    HttpResponse<String> r = send(request(path).GET(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** Polls the report until {@code condition} holds. */
  JsonNode awaitReport(String reportId, Duration atMost, Predicate<JsonNode> condition) {
    return await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> getJson("/api/reports/" + reportId), condition::test);
  }

  static boolean isFinal(JsonNode report) {
    String status = report.get("status").asString();
    return status.equals("COMPLETED") || status.equals("FAILED") || status.equals("CANCELLED");
  }

  HttpResponse<byte[]> download(String reportId) {
    return send(
        request("/api/reports/" + reportId + "/artifact").GET(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key);
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

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
