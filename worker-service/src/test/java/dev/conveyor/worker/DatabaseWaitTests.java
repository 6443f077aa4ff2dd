package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.queue.runtime.WorkerRuntime;
import dev.conveyor.testsupport.LateDatabase;
import dev.conveyor.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A worker started before its database (containers started together, PostgreSQL still starting)
 * keeps trying to connect, with the application.yml settings, and starts once the database answers,
 * instead of exiting at the first refused connection. Its readiness (Kubernetes' readiness probe)
 * says whether it can take work: the database answers and the runtime runs.
 */
class DatabaseWaitTests {

  static final TestDatabase db = TestDatabase.get();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static HttpResponse<String> readiness(String port) throws Exception {
    try (HttpClient client = HttpClient.newHttpClient()) {
      return client.send(
          HttpRequest.newBuilder(
                  URI.create("http://localhost:" + port + "/actuator/health/readiness"))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  @Test
  void startsOnceTheDatabaseComesUpInsteadOfFailingAtTheFirstAttempt() throws Exception {
    try (LateDatabase late = LateDatabase.of(db)) {
      CompletableFuture<ConfigurableApplicationContext> starting =
          CompletableFuture.supplyAsync(
              () ->
                  new SpringApplicationBuilder(ConveyorWorkerApplication.class)
                      .run(
                          "--spring.config.location="
                              + EndToEndTests.configOf(ConveyorWorkerApplication.class),
                          "--server.port=0",
                          // JPA and Spring Security are on this classpath only through the API (the
                          // end-to-end tests).
                          "--spring.autoconfigure.exclude="
                              + "org.springframework.boot.hibernate.autoconfigure"
                              + ".HibernateJpaAutoConfiguration,"
                              + "org.springframework.boot.data.jpa.autoconfigure"
                              + ".DataJpaRepositoriesAutoConfiguration,"
                              + Apps.API_SECURITY_AUTOCONFIGURATION,
                          "--spring.datasource.url=" + late.url(),
                          "--spring.datasource.username=" + db.user(),
                          "--spring.datasource.password=" + db.password(),
                          // Health's database check gives up on a lost database after this long
                          // (30 s by default), well within the probe's 5 s timeout here.
                          "--spring.datasource.hikari.connection-timeout=2000",
                          "--conveyor.worker-service.api-base-url=http://localhost:1",
                          "--conveyor.worker-service.callback-secret=" + EndToEndTests.SECRET));

      // Hikari retries about once a second; two turned-away attempts prove it did not give up.
      assertThat(late.awaitRefusedAttempts(2, Duration.ofSeconds(60))).isTrue();
      assertThat(starting).as("the start must still be waiting for the database").isNotDone();

      late.open();
      try (ConfigurableApplicationContext worker = starting.get(60, TimeUnit.SECONDS)) {
        assertThat(worker.getBean(WorkerRuntime.class).isRunning()).isTrue();
        String port = worker.getEnvironment().getRequiredProperty("local.server.port");
        HttpResponse<String> health = readiness(port);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"UP\"");
        JsonNode components = JSON.readTree(health.body()).get("components");
        assertThat(components.propertyNames())
            .containsExactlyInAnyOrder("readinessState", "db", "conveyor");

        // The database goes away: not ready (db DOWN, and the runtime's claims fail), until it is
        // back.
        late.cut();
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  HttpResponse<String> down = readiness(port);
                  assertThat(down.statusCode()).isEqualTo(503);
                  JsonNode parts = JSON.readTree(down.body()).get("components");
                  assertThat(parts.get("db").get("status").asString()).isEqualTo("DOWN");
                  assertThat(parts.get("conveyor").get("status").asString()).isEqualTo("DOWN");
                });
        late.open();
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(readiness(port).statusCode()).isEqualTo(200));

        // A runtime that stopped taking work (it stops first on SIGTERM) is not ready either.
        worker.getBean(WorkerRuntime.class).stop(Duration.ZERO);
        HttpResponse<String> stopped = readiness(port);
        assertThat(stopped.statusCode()).isEqualTo(503);
        assertThat(
                JSON.readTree(stopped.body())
                    .get("components")
                    .get("conveyor")
                    .get("status")
                    .asString())
            .isEqualTo("DOWN");
      }
    }
  }
}
