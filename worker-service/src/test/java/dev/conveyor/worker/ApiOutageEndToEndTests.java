package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.api.auth.ApiKeys;
import dev.conveyor.api.auth.Role;
import dev.conveyor.api.report.Settling;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Outbound trouble with the API and the worker in this JVM: the API is down while the worker
 * finishes a report (the durable callback waits it out), the API rejects the worker's callbacks (a
 * secret it does not accept yet, a worker clock 6 minutes ahead: retried until accepted, or settled
 * by the API from the database), and a client's callbackUrl points where webhooks must not go
 * (refused for good, visible to the admin). The API always listens on the same port, so that it can
 * be stopped and started again under the worker's feet.
 */
class ApiOutageEndToEndTests {

  static final TestDatabase db = TestDatabase.get();
  static final int API_PORT = Apps.freePort();

  /** A secret the worker does not sign with. */
  static final String OTHER_SECRET = "whsec_b3RoZXItc2VjcmV0LW9mLXRoZS1hcGktMDEyMzQ1Njc=";

  static final ShiftedClock workerClock = new ShiftedClock();
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
              workerClock,
              // Deliveries retry fast here, and long enough to outlast the API's restart.
              "--conveyor.worker-service.delivery-retry.base=100ms",
              "--conveyor.worker-service.delivery-retry.cap=1s",
              "--conveyor.worker-service.callback-max-attempts=500",
              "--conveyor.worker-service.connect-timeout=1s",
              "--conveyor.worker-service.request-timeout=2s");
    }
  }

  private static void startApi(String... secrets) {
    if (api == null) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  // The API lets a loopback callbackUrl through; the worker's own check refuses
                  // it.
                  "--conveyor.api.webhooks.allow-private-addresses=true",
                  "--conveyor.api.webhooks.max-attempts=2"));
      for (int i = 0; i < secrets.length; i++) {
        args.add("--conveyor.api.callbacks.secrets[" + i + "]=" + secrets[i]);
      }
      api = Apps.api(db, API_PORT, args.toArray(String[]::new));
    }
  }

  private static void stopApi() {
    if (api != null) {
      api.close();
      api = null;
    }
  }

  @AfterEach
  void clockRight() {
    workerClock.set(Duration.ZERO);
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
    // The API applied the event before it answered; the worker records the callback job's
    // completion after the answer (the completion writer batches), so wait for it.
    Map<String, Object> callback =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> completedCallback(reportId), job -> "completed".equals(job.get("state")));
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

  @Test
  void aCallbackSignedWithASecretTheApiDoesNotAcceptIsRetriedUntilItDoes() {
    voters("Rotation County", 4);
    // The API knows only secret A; the worker signs with B.
    stopApi();
    startApi(OTHER_SECRET);
    double before = rejected401();
    String reportId =
        client.submit(
            "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":"
                + "{\"county\":\"Rotation County\"}}");

    awaitRejected(reportId, before, "No webhook-signature matches the body");
    assertThat(reportRow(reportId)).isEqualTo("PENDING"); // nothing got through, nothing lost

    // Rotation: the API accepts B as well.
    stopApi();
    startApi(OTHER_SECRET, Apps.CALLBACK_SECRET);
    assertCompletedWithItsFile(reportId, 4);
    assertThat(queue.errors(((Number) completedCallback(reportId).get("id")).longValue()))
        .anySatisfy(e -> assertThat(e.error()).contains("rejected the callback with 401"));
    awaitWorkerHealthUp();
  }

  @Test
  void aWorkerClockSixMinutesAheadIsRejectedUntilItIsRight() {
    voters("Clock County", 3);
    workerClock.set(Duration.ofMinutes(6));
    double before = rejected401();
    String reportId =
        client.submit(
            "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":"
                + "{\"county\":\"Clock County\"}}");

    awaitRejected(reportId, before, "webhook-timestamp is too far in the future");
    assertThat(reportRow(reportId)).isEqualTo("PENDING");

    workerClock.set(Duration.ZERO);
    assertCompletedWithItsFile(reportId, 3);
    awaitWorkerHealthUp();
  }

  @Test
  void aRejectedCallbackAnOperatorCancelsLeavesTheReportToTheApisSettler() {
    voters("Settled County", 2);
    workerClock.set(Duration.ofMinutes(6));
    double before = rejected401();
    String reportId =
        client.submit(
            "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":"
                + "{\"county\":\"Settled County\"},"
                // TEST-NET-1: the API takes it; the webhook job is what is checked here.
                + "\"callbackUrl\":\"http://192.0.2.1:81/hooks\"}");
    awaitRejected(reportId, before, "webhook-timestamp is too far in the future");

    // The operator gives up on the callback (the admin endpoint); the worker's clock is fixed.
    long callback = ((Number) completedCallback(reportId).get("id")).longValue();
    assertThat(admin.post("/api/admin/jobs/" + callback + "/cancel").statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> completedCallback(reportId).get("state"), "cancelled"::equals);
    workerClock.set(Duration.ZERO);
    assertThat(reportRow(reportId)).isEqualTo("PENDING");

    assertThat(Settling.settleCompletedNow(api)).contains(UUID.fromString(reportId));

    JsonNode report = assertCompletedWithItsFile(reportId, 2);
    JsonNode webhook = webhookBody(reportId);
    assertThat(webhook.get("type").asString()).isEqualTo("report.completed");
    assertThat(webhook.get("artifact").get("sha256"))
        .isEqualTo(report.get("artifact").get("sha256"));

    // The real callback, sent after all (the operator retries it), changes nothing.
    assertThat(admin.post("/api/admin/jobs/" + callback + "/retry").statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> completedCallback(reportId).get("state"), "completed"::equals);
    assertThat(client.getJson("/api/reports/" + reportId)).isEqualTo(report);
    assertThat(
            jdbc.sql("SELECT count(*) FROM conveyor.queue_job WHERE unique_key = :key")
                .param("key", "webhook:" + reportId)
                .query(Long.class)
                .single())
        .isEqualTo(1);
    awaitWorkerHealthUp();
  }

  /**
   * Waits until the report's job completed and its report.completed was rejected at least twice,
   * then checks what an operator sees meanwhile: the rejection counter up, the worker's health
   * DEGRADED with the reason (HTTP 200) while readiness stays UP.
   */
  private void awaitRejected(String reportId, double rejectedBefore, String reason) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> reportJob(reportId), job -> "completed".equals(job.get("state")));
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions() // until the callback job exists
        .until(() -> completedCallback(reportId), job -> (int) job.get("attempt") >= 2);
    assertThat(rejected401()).isGreaterThanOrEqualTo(rejectedBefore + 2);
    HttpResponse<String> health = workerGet("/actuator/health");
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode body = ApiClient.JSON.readTree(health.body());
    assertThat(body.get("status").asString()).isEqualTo("DEGRADED");
    JsonNode component = body.get("components").get("apiCallbacks");
    assertThat(component.get("status").asString()).isEqualTo("DEGRADED");
    assertThat(component.get("details").get("status").asInt()).isEqualTo(401);
    assertThat(component.get("details").get("reason").asString()).contains(reason);
    HttpResponse<String> readiness = workerGet("/actuator/health/readiness");
    assertThat(readiness.statusCode()).isEqualTo(200);
    assertThat(ApiClient.JSON.readTree(readiness.body()).get("status").asString()).isEqualTo("UP");
  }

  private JsonNode assertCompletedWithItsFile(String reportId, int voters) {
    JsonNode report = client.awaitReport(reportId, Duration.ofSeconds(60), ApiClient::isFinal);
    assertThat(report.get("status").asString()).isEqualTo("COMPLETED");
    HttpResponse<byte[]> file = client.download(reportId);
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(EndToEndTests.sha256(file.body()))
        .isEqualTo(report.get("artifact").get("sha256").asString());
    assertThat(TestFiles.parseCsv(new String(file.body(), StandardCharsets.UTF_8)))
        .hasSize(voters + 1);
    return report;
  }

  private void awaitWorkerHealthUp() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                ApiClient.JSON
                    .readTree(workerGet("/actuator/health").body())
                    .get("status")
                    .asString(),
            "UP"::equals);
  }

  /** conveyor.callback.rejected{status="401"} as the worker's /actuator/prometheus shows it. */
  private double rejected401() {
    HttpResponse<String> metrics = workerGet("/actuator/prometheus");
    assertThat(metrics.statusCode()).isEqualTo(200);
    Matcher m =
        Pattern.compile("(?m)^conveyor_callback_rejected_total\\{[^}]*status=\"401\"[^}]*} (\\S+)$")
            .matcher(metrics.body());
    assertThat(m.find()).as("the 401 series is exported from the start").isTrue();
    return Double.parseDouble(m.group(1));
  }

  private HttpResponse<String> workerGet(String path) {
    return EndToEndTests.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + Apps.port(worker) + path))
            .timeout(Duration.ofSeconds(10))
            .GET(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode webhookBody(String reportId) {
    String payload =
        jdbc.sql("SELECT CAST(payload AS text) FROM conveyor.queue_job WHERE unique_key = :key")
            .param("key", "webhook:" + reportId)
            .query(String.class)
            .single();
    return ApiClient.JSON.readTree(payload).get("body");
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
