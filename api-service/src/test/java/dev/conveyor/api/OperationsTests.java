package dev.conveyor.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Problem details for errors outside the controllers, health, metrics and the API docs. */
class OperationsTests extends ApiTestBase {

  @Autowired Flyway flyway;

  @Test
  void unknownPathIs404Problem() {
    Api.Response r = newClient().get("/api/nothing-here");

    assertThat(r.status()).isEqualTo(404);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.json().get("status").asInt()).isEqualTo(404);
  }

  @Test
  void wrongMethodIs405Problem() {
    Api.Response r = newClient().method("DELETE", "/api/reports", null);

    assertThat(r.status()).isEqualTo(405);
    assertThat(r.contentType()).startsWith("application/problem+json");
  }

  @Test
  void wrongContentTypeIs415Problem() {
    Api.Response r =
        newClient()
            .post("/api/reports", "type=voterList", java.util.Map.of("Content-Type", "text/plain"));

    assertThat(r.status()).isEqualTo(415);
    assertThat(r.contentType()).startsWith("application/problem+json");
  }

  @Test
  void healthIsUpWithDatabaseAndQueueInReadiness() {
    Api.Response health = anonymous.get("/actuator/health");
    Api.Response readiness = anonymous.get("/actuator/health/readiness");

    assertThat(health.status()).isEqualTo(200);
    JsonNode components = health.json().get("components");
    assertThat(components.get("db").get("status").asString()).isEqualTo("UP");
    assertThat(components.get("queue").get("status").asString()).isEqualTo("UP");
    assertThat(components.get("reportEvents").get("status").asString()).isEqualTo("UP");
    assertThat(readiness.status()).isEqualTo(200);
    assertThat(readiness.json().get("components").propertyNames())
        .contains("db", "queue", "readinessState");
  }

  @Test
  void prometheusScrapesQueueAndHttpMetrics() {
    newClient().submitVoterList();

    Api.Response r = anonymous.get("/actuator/prometheus");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("conveyor_jobs_enqueued_total", "http_server_requests_seconds");
  }

  @Test
  void openApiDescribesTheEndpointsAndSwaggerUiIsServed() {
    JsonNode docs = anonymous.get("/v3/api-docs").json();

    assertThat(docs.get("paths").propertyNames())
        .contains(
            "/api/reports",
            "/api/reports/{id}",
            "/api/reports/{id}/artifact",
            "/api/reports/{id}/events",
            "/api/reports/{id}/cancel",
            "/internal/report-events",
            "/api/admin/queues");
    assertThat(docs.get("components").get("securitySchemes").has("apiKey")).isTrue();
    assertThat(anonymous.get("/swagger-ui/index.html").status()).isEqualTo(200);
  }

  @Test
  void flywayRefusesDatabasesNewerThanTheCode() {
    assertThat(flyway.getConfiguration().getIgnoreMigrationPatterns()).isEmpty();
  }
}
