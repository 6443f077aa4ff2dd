package dev.conveyor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.api.auth.Role;
import dev.conveyor.api.web.ProblemType;
import dev.conveyor.testsupport.LateDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** Problem details for errors outside the controllers, health, metrics and the API docs. */
class OperationsTests extends ApiTestBase {

  @Autowired Flyway flyway;

  @Test
  void unknownPathIs404Problem() {
    Api.Response r = newClient().get("/api/nothing-here");

    assertProblem(r, ProblemType.NOT_FOUND);
    assertThat(r.json().get("status").asInt()).isEqualTo(404);
  }

  @Test
  void theErrorPageAskedForByNameIs404ProblemNot500() {
    for (String method : List.of("GET", "POST", "DELETE")) {
      Api.Response r = anonymous.method(method, "/error", null);

      assertProblem(r, ProblemType.NOT_FOUND);
      assertThat(r.json().get("status").asInt()).isEqualTo(404);
    }
  }

  @Test
  void wrongMethodIs405Problem() {
    Api.Response r = newClient().method("DELETE", "/api/reports", null);

    assertProblem(r, ProblemType.METHOD_NOT_ALLOWED);
  }

  @Test
  void wrongContentTypeIs415Problem() {
    Api.Response r =
        newClient()
            .post("/api/reports", "type=voterList", java.util.Map.of("Content-Type", "text/plain"));

    assertProblem(r, ProblemType.UNSUPPORTED_MEDIA_TYPE);
  }

  /**
   * Requests Tomcat refuses before any servlet runs (a header over its limit, an encoded slash or a
   * backslash in the path) are problems too, not Tomcat's HTML error page.
   */
  @Test
  void requestsRefusedByTheServerItselfAre400Problems() {
    Api client = newClient();

    for (Api.Response r :
        List.of(
            client.get("/api/reports", Map.of("X-Padding", "a".repeat(20_000))),
            anonymous.get("/actuator/health", Map.of("X-Padding", "a".repeat(20_000))),
            client.get("/api/reports%2F" + java.util.UUID.randomUUID()),
            client.get("/api/reports/%5C" + java.util.UUID.randomUUID()))) {
      assertProblem(r, ProblemType.BAD_REQUEST);
      assertThat(r.json().get("status").asInt()).isEqualTo(400);
      assertThat(r.json().get("title").asString()).isEqualTo("Bad Request");
      assertThat(r.body()).doesNotContain("Tomcat", "Exception");
    }
  }

  @Test
  void healthIsUpWithDatabaseAndQueueInReadinessForAnAdmin() {
    Api admin = newClient(Role.ADMIN);

    Api.Response health = admin.get("/actuator/health");
    Api.Response readiness = admin.get("/actuator/health/readiness");

    assertThat(health.status()).isEqualTo(200);
    JsonNode components = health.json().get("components");
    assertThat(components.get("db").get("status").asString()).isEqualTo("UP");
    assertThat(components.get("db").get("details").get("database").asString())
        .isEqualTo("PostgreSQL");
    assertThat(components.get("queue").get("status").asString()).isEqualTo("UP");
    assertThat(components.get("reportEvents").get("status").asString()).isEqualTo("UP");
    assertThat(readiness.status()).isEqualTo(200);
    assertThat(readiness.json().get("components").propertyNames())
        .contains("db", "queue", "readinessState");
  }

  /**
   * Probes need no key, and what the components are and report (database product, schema version,
   * subscriber counts) is for admins: anonymous callers, client keys and unknown keys see the
   * status only, on the whole health and on the probe groups alike.
   */
  @Test
  void healthShowsOnlyTheStatusToAnyoneButAnAdmin() {
    Api client = newClient();
    Api unknown = new Api(port, "cvk_not-a-key-0123456789abcdef");

    for (Api caller : List.of(anonymous, client, unknown)) {
      for (String path :
          List.of("/actuator/health", "/actuator/health/readiness", "/actuator/health/liveness")) {
        Api.Response r = caller.get(path);
        assertThat(r.status()).as(path + " " + r).isEqualTo(200);
        assertThat(r.json().get("status").asString()).isEqualTo("UP");
        assertThat(r.json().propertyNames())
            .as(path + " " + r)
            .doesNotContain("components", "details");
      }
      assertThat(caller.get("/actuator/health/db").status()).isEqualTo(404);
    }
    assertThat(newClient(Role.ADMIN).get("/actuator/health/db").json().get("details")).isNotNull();
  }

  @Test
  void prometheusScrapesQueueHttpAndAdmissionMetrics() {
    newClient().submitVoterList();

    Api.Response r = anonymous.get("/actuator/prometheus");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body())
        .contains(
            "conveyor_jobs_enqueued_total",
            "http_server_requests_seconds",
            "conveyor_api_admission_running",
            "conveyor_api_admission_waiting",
            "conveyor_api_admission_rejected_total");
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
  void flywayIsConfiguredToRefuseDatabasesNewerThanTheCode() {
    assertThat(flyway.getConfiguration().getIgnoreMigrationPatterns()).isEmpty();
  }

  @Test
  void serviceRefusesToStartOnADatabaseNewerThanTheCode() {
    db.execute(
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
            + " checksum, installed_by, execution_time, success)"
            + " VALUES (9999, '9999', 'from the future', 'SQL', 'V9999__future.sql', 0, 'test', 0,"
            + " true)");
    try {
      assertThatThrownBy(
              () ->
                  new SpringApplicationBuilder(ConveyorApiApplication.class)
                      .web(WebApplicationType.NONE)
                      .run(
                          "--spring.datasource.url=" + db.url(),
                          "--spring.datasource.username=" + db.user(),
                          "--spring.datasource.password=" + db.password(),
                          "--spring.main.banner-mode=off")
                      .close())
          .hasStackTraceContaining("9999");
    } finally {
      db.execute("DELETE FROM flyway_schema_history WHERE version = '9999'");
    }
  }

  /** Containers start together: the API waits for a PostgreSQL that is still coming up. */
  @Test
  void waitsForTheDatabaseAtStartInsteadOfFailingAtTheFirstAttempt() throws Exception {
    try (LateDatabase late = LateDatabase.of(db)) {
      CompletableFuture<ConfigurableApplicationContext> starting =
          CompletableFuture.supplyAsync(
              () ->
                  new SpringApplicationBuilder(ConveyorApiApplication.class)
                      .web(WebApplicationType.NONE)
                      .run(
                          "--spring.datasource.url=" + late.url(),
                          "--spring.datasource.username=" + db.user(),
                          "--spring.datasource.password=" + db.password(),
                          "--spring.main.banner-mode=off"));

      // Hikari retries about once a second; two turned-away attempts prove it did not give up.
      assertThat(late.awaitRefusedAttempts(2, Duration.ofSeconds(60))).isTrue();
      assertThat(starting).as("the start must still be waiting for the database").isNotDone();

      late.open();
      try (ConfigurableApplicationContext api = starting.get(120, TimeUnit.SECONDS)) {
        assertThat(api.isRunning()).isTrue();
      }
    }
  }

  @Test
  void bootstrapKeyFromTheEnvironmentIsAnAdminKey() {
    Api bootstrap = new Api(port, BOOTSTRAP_KEY);

    assertThat(bootstrap.get("/api/admin/queues").status()).isEqualTo(200);
  }
}
