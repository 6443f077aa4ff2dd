package dev.conveyor.api.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.Worker;
import dev.conveyor.api.auth.Role;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reports whose job ended without a worker event (the rescuer discarded it after its last worker
 * died, a shutdown or an operator cancelled it, it was pruned, or it completed and its callback
 * never got through) are settled by the sweep, once the grace for a late event has passed.
 */
class ReportSettlerTests extends ApiTestBase {

  private static final String HOOK = "https://client.example/hooks/reports";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Autowired ReportSettler settler;

  private Api client;

  @BeforeEach
  void client() {
    client = newClient();
  }

  /** A PROCESSING report (its worker claimed the job and said so) with a callback URL. */
  private String processingReport() {
    String id = client.submitVoterList(HOOK);
    Worker worker = worker();
    worker.send(worker.started(worker.claim(id)));
    return id;
  }

  /** Ends the report's job as the rescuer would, {@code ago} in the past, without any event. */
  private void endJob(String reportId, String state, Duration ago) {
    jdbc.sql(
            """
            UPDATE conveyor.queue_job
            SET state = :state, finalized_at = now() - CAST(:ago AS interval),
                lease_expires_at = NULL,
                errors = errors || jsonb_build_array(jsonb_build_object(
                    'attempt', attempt, 'at', now(), 'error', 'lease expired', 'class', 'rescuer'))
            WHERE unique_key = :key
            """)
        .param("state", state)
        .param("ago", ago.toSeconds() + " seconds")
        .param("key", reportId)
        .update();
  }

  /** Moves the report's job's completion {@code ago} into the past. */
  private void completedAgo(String reportId, Duration ago) {
    jdbc.sql(
            """
            UPDATE conveyor.queue_job SET finalized_at = now() - CAST(:ago AS interval)
            WHERE unique_key = :key AND state = 'completed'
            """)
        .param("ago", ago.toSeconds() + " seconds")
        .param("key", reportId)
        .update();
  }

  /**
   * What the worker's last transaction leaves when its report.completed is never delivered: the
   * file stored and marked as the report's, the job completed, and the callback job.
   */
  private record Finished(Worker.Attempt attempt, UUID file, long callbackJob) {}

  private Finished finishedUnreported(String reportId) {
    Worker worker = worker();
    Worker.Attempt attempt = worker.claim(reportId);
    UUID file =
        worker.storeArtifact(
            reportId, "report.csv", "text/csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8));
    worker.markStored(file, reportId);
    assertThat(worker.completeJob(attempt)).isTrue();
    long callback =
        new JobQueue(dataSource)
            .enqueue(
                JobRequest.of("callback.deliver", worker.completed(attempt, file))
                    .withQueue("callbacks-settler-test"))
            .job()
            .id();
    return new Finished(attempt, file, callback);
  }

  /** One sweep as of {@code now}, waiting out a scheduled sweep that holds the lock. */
  private List<UUID> settle(Instant now) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> settler.settle(now), Optional::isPresent)
        .orElseThrow();
  }

  private void settle() {
    settle(Instant.now());
  }

  private JsonNode report(String id) {
    return client.get("/api/reports/" + id).json();
  }

  @Test
  void aReportWhoseJobWasDiscardedUnreportedEndsFailedWithTheJobsLastError() {
    String id = processingReport();
    endJob(id, "discarded", Duration.ofHours(1));

    settle(); // (the scheduled sweep may have settled it already: the outcome is the same)

    JsonNode report = report(id);
    assertThat(report.get("status").asString()).isEqualTo("FAILED");
    assertThat(report.get("error").get("code").asString()).isEqualTo("JOB_DISCARDED");
    assertThat(report.get("error").get("message").asString()).endsWith("lease expired");
    assertThat(webhookPayloads(id)).singleElement().asString().contains("report.failed");
  }

  @Test
  void aReportWhoseJobWasCancelledUnreportedEndsCancelled() {
    String id = processingReport();
    endJob(id, "cancelled", Duration.ofHours(1));

    settle();

    assertThat(report(id).get("status").asString()).isEqualTo("CANCELLED");
    assertThat(webhookPayloads(id)).singleElement().asString().contains("report.cancelled");
  }

  @Test
  void aReportWhoseJobIsGoneEndsFailed() {
    String id = client.submitVoterList();
    jdbc.sql("DELETE FROM conveyor.queue_job WHERE unique_key = :key").param("key", id).update();

    settle();

    JsonNode report = report(id);
    assertThat(report.get("status").asString()).isEqualTo("FAILED");
    assertThat(report.get("error").get("code").asString()).isEqualTo("JOB_LOST");
  }

  @Test
  void aJobThatEndedWithinTheGraceOrCompletedWithoutAStoredFileIsLeftToItsWorkersEvent() {
    String recent = processingReport();
    endJob(recent, "discarded", Duration.ofMinutes(1));
    String completed = processingReport();
    endJob(completed, "completed", Duration.ofHours(1)); // no file marked stored

    settle();

    assertThat(report(recent).get("status").asString()).isEqualTo("PROCESSING");
    assertThat(report(completed).get("status").asString()).isEqualTo("PROCESSING");
    assertThat(webhookPayloads(recent)).isEmpty();
  }

  @Test
  void aSettledReportIsSettledOnceAndALateWorkerEventChangesNothing() {
    String id = client.submitVoterList(HOOK);
    Worker worker = worker();
    Worker.Attempt attempt = worker.claim(id);
    worker.send(worker.started(attempt));
    endJob(id, "discarded", Duration.ofHours(1));
    settle();

    settle();
    Api.Response late = worker.send(worker.failed(attempt, "GENERATION_FAILED", "late"));

    assertThat(late.status()).isEqualTo(200);
    assertThat(late.json().get("applied").asBoolean()).isFalse();
    JsonNode report = report(id);
    assertThat(report.get("status").asString()).isEqualTo("FAILED");
    assertThat(report.get("error").get("code").asString()).isEqualTo("JOB_DISCARDED");
    assertThat(webhookPayloads(id)).hasSize(1);
  }

  /** The worker's report.completed never got through (rejected, or discarded by an operator). */
  @Nested
  class CompletedWithoutItsCallback {

    @Test
    void aCallbackJobCancelledByAnOperatorLeavesTheReportToTheSettlerWhichCompletesIt() {
      String id = client.submitVoterList(HOOK);
      Finished finished = finishedUnreported(id);
      Api admin = newClient(Role.ADMIN);
      assertThat(admin.post("/api/admin/jobs/" + finished.callbackJob() + "/cancel", "").status())
          .isEqualTo(200);
      completedAgo(id, ReportSettler.COMPLETED_GRACE.plusSeconds(30));

      settle();

      JsonNode report = report(id);
      assertThat(report.get("status").asString()).isEqualTo("COMPLETED");
      assertThat(report.get("progress").asInt()).isEqualTo(100);
      assertThat(report.get("attempts").asInt()).isEqualTo(finished.attempt().attempt());
      assertThat(report.get("artifact").get("sizeBytes").asLong()).isEqualTo(8);
      assertThat(client.get("/api/reports/" + id + "/artifact").body()).isEqualTo("a,b\n1,2\n");
      JsonNode webhook = JSON.readTree(webhookPayloads(id).getFirst()).get("body");
      assertThat(webhookPayloads(id)).hasSize(1);
      assertThat(webhook.get("type").asString()).isEqualTo("report.completed");
      assertThat(webhook.get("status").asString()).isEqualTo("COMPLETED");
      assertThat(webhook.get("artifact").get("sha256").asString())
          .isEqualTo(report.get("artifact").get("sha256").asString());

      // The worker's own report.completed, should it arrive after all, changes nothing.
      Api.Response late = worker().send(worker().completed(finished.attempt(), finished.file()));
      assertThat(late.status()).isEqualTo(200);
      assertThat(late.json().get("applied").asBoolean()).isFalse();
      assertThat(late.json().get("reason").asString()).startsWith("duplicate");
      assertThat(report(id)).isEqualTo(report);
      assertThat(webhookPayloads(id)).hasSize(1);
    }

    @Test
    void aSettledCompletionLooksToTheClientLikeADeliveredOne() {
      String delivered = client.submitVoterList(HOOK);
      Finished d = finishedUnreported(delivered);
      assertThat(
              worker()
                  .send(worker().completed(d.attempt(), d.file()))
                  .json()
                  .get("applied")
                  .asBoolean())
          .isTrue();
      String settled = client.submitVoterList(HOOK);
      finishedUnreported(settled);
      completedAgo(settled, ReportSettler.COMPLETED_GRACE.plusSeconds(30));

      settle();

      JsonNode a = report(delivered);
      JsonNode b = report(settled);
      assertThat(fieldNames(b)).isEqualTo(fieldNames(a));
      for (String field : List.of("status", "progress", "attempts", "error", "cancelRequested")) {
        assertThat(b.get(field)).as(field).isEqualTo(a.get(field));
      }
      assertThat(fieldNames(b.get("artifact"))).isEqualTo(fieldNames(a.get("artifact")));
      assertThat(b.get("artifact").get("sha256")).isEqualTo(a.get("artifact").get("sha256"));
      JsonNode hookA = JSON.readTree(webhookPayloads(delivered).getFirst());
      JsonNode hookB = JSON.readTree(webhookPayloads(settled).getFirst());
      assertThat(fieldNames(hookB)).isEqualTo(fieldNames(hookA));
      assertThat(fieldNames(hookB.get("body"))).isEqualTo(fieldNames(hookA.get("body")));
      assertThat(hookB.get("body").get("type")).isEqualTo(hookA.get("body").get("type"));
    }

    @Test
    void aCompletedJobIsLeftToItsCallbackForTheCompletedGrace() {
      String id = client.submitVoterList(HOOK);
      finishedUnreported(id);
      completedAgo(id, ReportSettler.COMPLETED_GRACE.minusSeconds(30));

      settle();

      assertThat(report(id).get("status").asString()).isEqualTo("PENDING");
      assertThat(webhookPayloads(id)).isEmpty();
    }

    @Test
    void aReportWhoseJobIsGoneButWhoseFileIsStoredEndsCompleted() {
      String id = client.submitVoterList();
      finishedUnreported(id);
      jdbc.sql("DELETE FROM conveyor.queue_job WHERE unique_key = :key").param("key", id).update();

      settle();

      JsonNode report = report(id);
      assertThat(report.get("status").asString()).isEqualTo("COMPLETED");
      assertThat(report.get("artifact").get("sizeBytes").asLong()).isEqualTo(8);
    }
  }

  /**
   * A sweep's cost does not grow with the backlog, and replicas take turns: the two statements it
   * runs, on real PostgreSQL.
   */
  @Nested
  class Cost {

    @Test
    void oneReplicaSweepsAtATime() throws Exception {
      CountDownLatch locked = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      TransactionTemplate other =
          new TransactionTemplate(new DataSourceTransactionManager(dataSource));
      try (var pool = Executors.newSingleThreadExecutor()) {
        Future<?> replica =
            pool.submit(
                () ->
                    other.executeWithoutResult(
                        s -> {
                          JdbcClient.create(dataSource)
                              .sql("SELECT pg_advisory_xact_lock(:c, :o)")
                              .param("c", UnsettledReports.LOCK_CLASS)
                              .param("o", UnsettledReports.LOCK_OBJECT)
                              .query()
                              .singleRow();
                          locked.countDown();
                          try {
                            release.await();
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                        }));
        locked.await();
        try {
          assertThat(settler.settle(Instant.now())).isEmpty(); // another replica is sweeping
        } finally {
          release.countDown();
        }
        replica.get();
      }
      assertThat(settle(Instant.now())).isNotNull(); // its turn again once the other is done
    }

    /**
     * A report beyond the oldest window is still reached: each sweep continues after where the
     * previous one stopped. 2,500 waiting reports older than any other, then one whose job is gone
     * at position 2,201: the oldest window alone never gets there.
     */
    @Test
    void sweepsContinueAfterTheOldestWindowUntilEveryReportWasExamined() {
      String waiting = client.submitVoterList();
      long job = worker().jobId(waiting);
      String sql =
          """
          INSERT INTO reports (id, owner_id, type, format, request_fingerprint, job_id, created_at)
          SELECT gen_random_uuid(), :owner, 'voterList', 'CSV', repeat('e', 64),
                 CASE WHEN i = 2201 THEN -1 ELSE :job END,
                 now() - interval '400 days' + i * interval '1 second'
          FROM generate_series(1, 2500) AS i
          """;
      jdbc.sql(sql).param("owner", client.clientId()).param("job", job).update();
      try {
        String lost =
            jdbc.sql("SELECT CAST(id AS text) FROM reports WHERE job_id = -1 AND owner_id = :o")
                .param("o", client.clientId())
                .query(String.class)
                .single();
        // Three sweeps at most: the oldest window plus the next, then the one after that.
        for (int sweep = 0;
            sweep < 3 && !"FAILED".equals(report(lost).get("status").asString());
            sweep++) {
          settle();
        }
        assertThat(report(lost).get("error").get("code").asString()).isEqualTo("JOB_LOST");
      } finally {
        jdbc.sql(
                "DELETE FROM reports WHERE owner_id = :o AND request_fingerprint = repeat('e', 64)")
            .param("o", client.clientId())
            .update();
      }
    }

    /**
     * 1,000,000 reports waiting behind one available job: a window reads the index only, about its
     * bound, in well under 50 ms. The rows are inserted, analyzed and explained in one transaction
     * that is rolled back, then the table is vacuumed, so no other test sees them.
     */
    @Test
    void aWindowCostsTheSameBehindAMillionWaitingReports() {
      String waiting = client.submitVoterList();
      long job = worker().jobId(waiting);
      TransactionTemplate tx =
          new TransactionTemplate(new DataSourceTransactionManager(dataSource));
      List<String> plans =
          tx.execute(
              status -> {
                status.setRollbackOnly();
                JdbcClient in = JdbcClient.create(dataSource);
                if (mayChangeReplicationRole(in)) {
                  // Skips the owner foreign key's check on each row (more than half the insert's
                  // time); the rows all reference a real client anyway.
                  in.sql("SET LOCAL session_replication_role = replica").update();
                }
                in.sql(
                        """
                        INSERT INTO reports (id, owner_id, type, format, request_fingerprint,
                                             job_id, created_at)
                        SELECT CAST('00000000-0000-7000-8000-' || lpad(to_hex(i), 12, '0') AS uuid),
                               :owner, 'voterList', 'CSV', repeat('d', 64), :job,
                               now() - interval '1 day' + i * interval '50 milliseconds'
                        FROM generate_series(1, 1000000) AS i
                        """)
                    .param("owner", client.clientId())
                    .param("job", job)
                    .update();
                in.sql("SET LOCAL session_replication_role = origin").update();
                in.sql("ANALYZE reports").update();
                String custom = explain(in);
                String generic = explainGeneric(in);
                return List.of(custom, generic);
              });
      jdbc.sql("VACUUM (ANALYZE) reports").update();

      for (String plan : plans) {
        assertThat(plan)
            .contains("reports_unfinished_created_id_idx")
            .contains("Limit")
            .doesNotContain("Seq Scan on reports")
            .doesNotContain("Sort");
      }
      String custom = plans.getFirst();
      double millis =
          Double.parseDouble(custom.replaceAll("(?s).*Execution Time: ([0-9.]+) ms.*", "$1"));
      assertThat(millis).as(custom).isLessThan(50);
      assertThat(custom).containsPattern("rows=" + UnsettledReports.WINDOW + " loops=1");
    }

    private boolean mayChangeReplicationRole(JdbcClient in) {
      return in.sql(
              "SELECT rolsuper OR has_parameter_privilege('session_replication_role', 'SET')"
                  + " FROM pg_roles WHERE rolname = current_user")
          .query(Boolean.class)
          .single();
    }

    /** The plan PostgreSQL makes with the parameters' values, run. */
    private String explain(JdbcClient in) {
      return String.join(
          "\n",
          in.sql("EXPLAIN (ANALYZE, BUFFERS) " + UnsettledReports.FIND)
              .param("afterCreatedAt", UnsettledReports.START.createdAt())
              .param("afterId", UnsettledReports.START.id())
              .param("failedBefore", OffsetDateTime.now(ZoneOffset.UTC))
              .param("completedBefore", OffsetDateTime.now(ZoneOffset.UTC))
              .query(String.class)
              .list());
    }

    /**
     * The plan PostgreSQL makes for any values (the one a driver-prepared statement ends up with):
     * the same statement as a PREPAREd one, under force_generic_plan.
     */
    private String explainGeneric(JdbcClient in) {
      String numbered =
          UnsettledReports.FIND
              .replace(":afterCreatedAt", "$1")
              .replace(":afterId", "$2")
              .replace(":failedBefore", "$3")
              .replace(":completedBefore", "$4");
      in.sql("PREPARE settler_window (timestamptz, uuid, timestamptz, timestamptz) AS " + numbered)
          .update();
      try {
        in.sql("SET LOCAL plan_cache_mode = force_generic_plan").update();
        return String.join(
            "\n",
            in.sql(
                    "EXPLAIN EXECUTE settler_window('0001-01-01T00:00:00Z',"
                        + " '00000000-0000-0000-0000-000000000000', now(), now())")
                .query(String.class)
                .list());
      } finally {
        in.sql("DEALLOCATE settler_window").update(); // prepared statements outlive a rollback
      }
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    return node.propertyNames().stream().sorted().toList();
  }
}
