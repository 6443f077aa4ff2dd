package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * A worker started before its database (containers started together, PostgreSQL still starting)
 * keeps trying to connect, with the application.yml settings, and starts once the database answers,
 * instead of exiting at the first refused connection.
 */
class DatabaseWaitTests {

  static final TestDatabase db = TestDatabase.get();

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
                          "--conveyor.worker-service.api-base-url=http://localhost:1",
                          "--conveyor.worker-service.callback-secret=" + EndToEndTests.SECRET));

      // Hikari retries about once a second; two turned-away attempts prove it did not give up.
      assertThat(late.awaitRefusedAttempts(2, Duration.ofSeconds(60))).isTrue();
      assertThat(starting).as("the start must still be waiting for the database").isNotDone();

      late.open();
      try (ConfigurableApplicationContext worker = starting.get(60, TimeUnit.SECONDS)) {
        assertThat(worker.getBean(WorkerRuntime.class).isRunning()).isTrue();
        String port = worker.getEnvironment().getRequiredProperty("local.server.port");
        HttpResponse<String> health =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://localhost:" + port + "/actuator/health/readiness"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"UP\"");
      }
    }
  }
}
