package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A client of the API under test: real HTTP with an API key. */
record ApiClient(int port, String key) {

  static final JsonMapper JSON = JsonMapper.builder().build();

  /** {@code POST /api/reports}; the new report's id. */
  String submit(String body) {
    HttpResponse<String> r =
        EndToEndTests.send(
            request("/api/reports")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return JSON.readTree(r.body()).get("reportId").asString();
  }

  JsonNode getJson(String path) {
    HttpResponse<String> r =
        EndToEndTests.send(request(path).GET(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** {@code POST} without a body (the admin endpoints' actions); the answer. */
  HttpResponse<String> post(String path) {
    return EndToEndTests.send(
        request(path).POST(HttpRequest.BodyPublishers.noBody()),
        HttpResponse.BodyHandlers.ofString());
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
    return EndToEndTests.send(
        request("/api/reports/" + reportId + "/artifact").GET(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key);
  }
}
