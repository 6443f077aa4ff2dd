package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.conveyor.api.auth.ApiKeys;
import dev.conveyor.api.auth.Role;
import dev.conveyor.queue.JobError;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.testsupport.TestDatabase;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * A worker killed mid-report (SIGKILL, no graceful shutdown): its lease runs out, another worker
 * rescues the job and finishes it, and the report completes exactly once. The first worker is a
 * separate OS process; the API and the second worker run in this JVM.
 */
class WorkerCrashEndToEndTests {

  static final TestDatabase db = TestDatabase.get();
  static final String COUNTY = "Crash Test";
  static final int VOTERS = 200_000;

  static ConfigurableApplicationContext api;
  static ConfigurableApplicationContext rescuer;
  static Process doomed;
  static ApiClient client;
  final JdbcClient jdbc = JdbcClient.create(db.dataSource());

  @BeforeAll
  static void start() {
    api = Apps.api(db, 0);
    ApiKeys.CreatedKey key =
        api.getBean(ApiKeys.class).create("crash-" + System.nanoTime(), Role.CLIENT);
    client = new ApiClient(Apps.port(api), key.key().reveal());
    // One statement: enough rows that the report takes a few seconds to write.
    JdbcClient.create(db.dataSource())
        .sql(
            """
            INSERT INTO voters (state_voter_id, first_name, last_name, date_of_birth,
                                street_address, city, zip_code, county, assembly_district,
                                election_district, party, status, registration_date)
            SELECT 'CR' || :run || '-' || i, 'Given' || i, 'Family' || md5(i::text),
                   DATE '1950-01-01' + i % 20000, i || ' Crash Avenue', 'Albany', '12207',
                   :county, 100 + i % 7, 1 + i % 60, 'REP', 'ACTIVE', DATE '2010-06-01'
            FROM generate_series(1, :count) AS i
            """)
        .param("run", System.nanoTime())
        .param("county", COUNTY)
        .param("count", VOTERS)
        .update();
  }

  @AfterAll
  static void stop() {
    if (doomed != null) {
      doomed.destroyForcibly();
    }
    if (rescuer != null) {
      rescuer.close();
    }
    if (api != null) {
      api.close();
    }
  }

  @Test
  void aReportWhoseWorkerIsKilledIsFinishedByAnotherAndCompletesOnce() throws Exception {
    Path log = Files.createTempFile("conveyor-killed-worker", ".log");
    doomed =
        Apps.workerProcess(
            db,
            client.port(),
            log,
            // A short lease, so that the dead worker's job is rescued soon; small fetches, so that
            // the report is still being written when the test sees its first progress.
            "--conveyor.queue.lease.duration=3s",
            "--conveyor.worker-service.fetch-size=100");
    String reportId =
        client.submit(
            "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\""
                + COUNTY
                + "\"}}");

    JsonNode running =
        client.awaitReport(
            reportId,
            Duration.ofSeconds(90),
            r -> isFinalOrAlive(r, log) && r.get("progress").asInt() > 0);
    assertThat(running.get("status").asString()).isEqualTo("PROCESSING");
    doomed.destroyForcibly();
    assertThat(doomed.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(jobOf(reportId).get("state")).isEqualTo("running"); // nobody knows it died yet

    rescuer =
        Apps.worker(
            db,
            client.port(),
            "--conveyor.queue.rescuer.interval=300ms",
            "--conveyor.worker-service.artifact-sweep.interval=500ms",
            "--conveyor.worker-service.fetch-size=2000");
    JsonNode report = client.awaitReport(reportId, Duration.ofSeconds(90), ApiClient::isFinal);

    assertThat(report.get("status").asString()).isEqualTo("COMPLETED");
    assertThat(report.get("attempts").asInt()).isEqualTo(2);
    Map<String, Object> job = jobOf(reportId);
    assertThat(job.get("state")).isEqualTo("completed");
    assertThat(job.get("attempt")).isEqualTo(2);
    // The dead attempt is on record as rescued, not as a failure of the handler.
    assertThat(new JobQueue(db.dataSource()).errors(((Number) job.get("id")).longValue()))
        .extracting(JobError::attempt, JobError::errorClass)
        .containsExactly(tuple(1, "LeaseExpired"));

    // One file: the dead attempt's unfinished one (its chunks were committed as written) is
    // removed by the surviving worker's sweep once the job no longer runs under its token.
    String stored =
        jdbc.sql("SELECT artifact_id::text FROM reports WHERE id = CAST(:id AS uuid)")
            .param("id", reportId)
            .query(String.class)
            .single();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                jdbc.sql("SELECT id::text FROM artifacts WHERE filename = :name")
                    .param("name", "voter-list-" + reportId + ".csv")
                    .query(String.class)
                    .list(),
            artifacts -> artifacts.equals(List.of(stored)));
    assertThat(
            jdbc.sql(
                    "SELECT count(*) FROM artifact_chunks c WHERE NOT EXISTS"
                        + " (SELECT 1 FROM artifacts a WHERE a.id = c.artifact_id)")
                .query(Long.class)
                .single())
        .isZero();
    HttpResponse<byte[]> file = client.download(reportId);
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(EndToEndTests.sha256(file.body()))
        .isEqualTo(report.get("artifact").get("sha256").asString());
    List<List<String>> rows = TestFiles.parseCsv(new String(file.body(), StandardCharsets.UTF_8));
    assertThat(rows).hasSize(VOTERS + 1);
    assertThat(rows.getLast()).hasSameSizeAs(rows.getFirst());

    // Exactly one report.completed: one durable callback, delivered, applied once.
    List<Map<String, Object>> completed =
        jdbc.sql(
                """
                SELECT state, payload ->> 'id' AS event_id,
                       (payload ->> 'attempt')::int AS event_attempt
                FROM conveyor.queue_job
                WHERE kind = 'callback.deliver' AND payload ->> 'reportId' = :id
                  AND payload ->> 'type' = 'report.completed'
                """)
            .param("id", reportId)
            .query()
            .listOfRows();
    assertThat(completed).hasSize(1);
    assertThat(completed.getFirst()).containsEntry("event_attempt", 2);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                jdbc.sql("SELECT count(*) FROM webhook_receipts WHERE webhook_id = :id")
                    .param("id", completed.getFirst().get("event_id"))
                    .query(Long.class)
                    .single(),
            n -> n == 1);
    // Nothing left running (the dead worker's lease was the only one).
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                jdbc.sql("SELECT count(*) FROM conveyor.queue_job WHERE state = 'running'")
                    .query(Long.class)
                    .single(),
            n -> n == 0);
  }

  /** True while waiting; fails fast with the worker's log if the process died on its own. */
  private static boolean isFinalOrAlive(JsonNode report, Path log) {
    if (!doomed.isAlive()) {
      throw new AssertionError(
          "the worker process exited with " + doomed.exitValue() + ":\n" + tail(log));
    }
    return !ApiClient.isFinal(report) || failFinal(report);
  }

  private static boolean failFinal(JsonNode report) {
    throw new AssertionError(
        "the report finished before the worker could be killed (make it bigger): " + report);
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private Map<String, Object> jobOf(String reportId) {
    return jdbc.sql(
            """
            SELECT id, state, attempt FROM conveyor.queue_job
            WHERE id = (SELECT job_id FROM reports WHERE id = CAST(:id AS uuid))
            """)
        .param("id", reportId)
        .query()
        .singleRow();
  }
}
