package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.api.auth.ApiKeys;
import dev.conveyor.api.auth.Role;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.testsupport.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Outbound trouble with the API and the worker in this JVM: the API is down while the worker
 * finishes a report (the durable callback waits it out), and a client's callbackUrl points where
 * webhooks must not go (refused for good, visible to the admin). The API always listens on the same
 * port, so that it can be stopped and started again under the worker's feet.
 */
class ApiOutageEndToEndTests {

  static final TestDatabase db = TestDatabase.get();
  static final int API_PORT = Apps.freePort();

  static @Nullable ConfigurableApplicationContext api;
  static @Nullable ConfigurableApplicationContext worker;
  static ApiClient client;
  static ApiClient admin;
  final JdbcClient jdbc = JdbcClient.create(db.dataSource());
  final JobQueue queue = new JobQueue(db.dataSource());

  @BeforeAll
  static void keys() {
    startApi();
    ApiKeys keys = api.getBean(ApiKeys.class);
    client =
        new ApiClient(
            API_PORT, keys.create("outage-" + System.nanoTime(), Role.CLIENT).key().reveal());
    admin =
        new ApiClient(
            API_PORT, keys.create("outage-admin-" + System.nanoTime(), Role.ADMIN).key().reveal());
  }

  @BeforeEach
  void bothRunning() {
    startApi();
    if (worker == null) {
      worker =
          Apps.worker(
              db,
              API_PORT,
              // Deliveries retry fast here, and long enough to outlast the API's restart.
              "--conveyor.worker-service.delivery-retry.base=100ms",
              "--conveyor.worker-service.delivery-retry.cap=1s",
              "--conveyor.worker-service.callback-max-attempts=500",
              "--conveyor.worker-service.connect-timeout=1s",
              "--conveyor.worker-service.request-timeout=2s");
    }
  }

  private static void startApi() {
    if (api == null) {
      api =
          Apps.api(
              db,
              API_PORT,
              // The API lets a loopback callbackUrl through; the worker's own check refuses it.
              "--conveyor.api.webhooks.allow-private-addresses=true",
              "--conveyor.api.webhooks.max-attempts=2");
    }
  }

  private static void stopApi() {
    if (api != null) {
      api.close();
      api = null;
    }
  }

  @AfterAll
  static void stop() {
    if (worker != null) {
      worker.close();
      worker = null;
    }
    stopApi();
  }

  @Test
  void aCallbackThatFindsTheApiDownIsDeliveredWhenItIsBack() {
    voters("Outage County", 25);
    // Held back until the API is down, so that the whole run happens without it.
    queue.pause("reports");
    String reportId;
    try {
      reportId =
          client.submit(
              "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":"
                  + "{\"county\":\"Outage County\"}}");
      stopApi();
    } finally {
      queue.resume("reports");
    }

    // The worker finishes the report; its report.completed cannot be delivered and is retried.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> reportJob(reportId), job -> "completed".equals(job.get("state")));
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions() // until the callback job exists
        .until(() -> completedCallback(reportId), job -> (int) job.get("attempt") >= 3);
    assertThat(reportRow(reportId)).isEqualTo("PENDING"); // the API heard nothing yet

    startApi();
    JsonNode report = client.awaitReport(reportId, Duration.ofSeconds(60), ApiClient::isFinal);

    assertThat(report.get("status").asString()).isEqualTo("COMPLETED");
    HttpResponse<byte[]> file = client.download(reportId);
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(EndToEndTests.sha256(file.body()))
        .isEqualTo(report.get("artifact").get("sha256").asString());
    assertThat(TestFiles.parseCsv(new String(file.body(), StandardCharsets.UTF_8))).hasSize(25 + 1);
    Map<String, Object> callback = completedCallback(reportId);
    assertThat(callback.get("state")).isEqualTo("completed");
    assertThat((int) callback.get("attempt")).isGreaterThan(1);
    assertThat(queue.errors(((Number) callback.get("id")).longValue()))
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.error()).contains("could not reach"));
  }

  @Test
  void aWebhookToAPrivateAddressIsRefusedForGoodAndTheAdminSeesWhy() {
    voters("Hook County", 3);
    String refused =
        client.submit(
            "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\"Hook County\"},"
                + "\"callbackUrl\":\"http://127.0.0.1:9/hooks\"}");
    // TEST-NET-1: passes the address check, but nothing answers there.
    String unreachable =
        client.submit(
            "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\"Hook County\"},"
                + "\"callbackUrl\":\"http://192.0.2.1:81/hooks\"}");

    JsonNode refusedJob = awaitDeadWebhook(refused);
    assertThat(refusedJob.get("attempt").asInt()).isEqualTo(1); // never retried
    assertThat(refusedJob.get("maxAttempts").asInt()).isEqualTo(2);
    assertThat(refusedJob.get("errors")).hasSize(1);
    assertThat(refusedJob.get("errors").get(0).get("error").asString())
        .contains("callbackUrl host 127.0.0.1 resolves to 127.0.0.1, a loopback address")
        .contains("allow-private-addresses");

    JsonNode retriedJob = awaitDeadWebhook(unreachable);
    assertThat(retriedJob.get("attempt").asInt()).isEqualTo(2);
    assertThat(retriedJob.get("errors")).hasSize(2);
    assertThat(retriedJob.get("errors").get(1).get("error").asString()).contains("192.0.2.1");
    // The reports themselves are fine: a webhook is the client's concern.
    assertThat(client.getJson("/api/reports/" + refused).get("status").asString())
        .isEqualTo("COMPLETED");
  }

  /** The report's webhook.deliver job as {@code GET /api/admin/jobs?state=discarded} shows it. */
  private JsonNode awaitDeadWebhook(String reportId) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              for (JsonNode job :
                  admin
                      .getJson("/api/admin/jobs?state=discarded&queue=webhooks&limit=500")
                      .get("items")) {
                if (("webhook:" + reportId).equals(job.get("uniqueKey").asString())) {
                  return job;
                }
              }
              return null;
            },
            job -> job != null);
  }

  private void voters(String county, int count) {
    jdbc.sql(
            """
            INSERT INTO voters (state_voter_id, first_name, last_name, date_of_birth,
                                street_address, city, zip_code, county, assembly_district,
                                election_district, party, status, registration_date)
            SELECT 'OU' || :run || '-' || i, 'Given' || i, 'Family' || i, DATE '1980-05-05',
                   i || ' Outage Road', 'Utica', '13501', :county, 101, i, 'CON', 'ACTIVE',
                   DATE '2012-01-01'
            FROM generate_series(1, :count) AS i
            """)
        .param("run", System.nanoTime())
        .param("county", county)
        .param("count", count)
        .update();
  }

  private Map<String, Object> reportJob(String reportId) {
    return jdbc.sql(
            """
            SELECT state FROM conveyor.queue_job
            WHERE id = (SELECT job_id FROM reports WHERE id = CAST(:id AS uuid))
            """)
        .param("id", reportId)
        .query()
        .singleRow();
  }

  private String reportRow(String reportId) {
    return jdbc.sql("SELECT status FROM reports WHERE id = CAST(:id AS uuid)")
        .param("id", reportId)
        .query(String.class)
        .single();
  }

  private Map<String, Object> completedCallback(String reportId) {
    return jdbc.sql(
            """
            SELECT id, state, attempt FROM conveyor.queue_job
            WHERE kind = 'callback.deliver' AND payload ->> 'reportId' = :id
              AND payload ->> 'type' = 'report.completed'
            """)
        .param("id", reportId)
        .query()
        .singleRow();
  }
}
