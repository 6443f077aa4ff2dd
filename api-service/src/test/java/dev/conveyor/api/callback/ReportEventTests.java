package dev.conveyor.api.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.Signing;
import dev.conveyor.api.Worker;
import dev.conveyor.api.web.ProblemType;
import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobQueue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** How worker events move a report: forward only, from the attempt that owns it, once. */
class ReportEventTests extends ApiTestBase {

  @Autowired JobQueue queue;

  private Api client;
  private Worker worker;
  private String reportId;

  @BeforeEach
  void submitted() {
    client = newClient();
    worker = worker();
    reportId = client.submitVoterList("https://client.example/hooks");
  }

  @Nested
  class Lifecycle {

    @Test
    void startedProgressCompletedMoveTheReportAndEnqueueTheClientWebhook() {
      Worker.Attempt a = worker.claim(reportId);

      assertApplied(worker.send(worker.started(a)), "PROCESSING");
      assertApplied(worker.send(worker.progress(a, 40)), "PROCESSING");
      assertThat(report().get("progress").asInt()).isEqualTo(40);
      assertThat(queue.findByUniqueKey("webhook:" + reportId)).isEmpty();

      UUID file =
          worker.storeArtifact(
              reportId, "r.csv", "text/csv", "a,b\n".getBytes(StandardCharsets.UTF_8));
      assertApplied(worker.send(worker.completed(a, file)), "COMPLETED");

      JsonNode view = report();
      assertThat(view.get("attempts").asInt()).isEqualTo(1);
      assertThat(view.get("startedAt").isNull()).isFalse();
      Job webhook = queue.findByUniqueKey("webhook:" + reportId).orElseThrow();
      assertThat(webhook.kind()).isEqualTo("webhook.deliver");
      assertThat(webhook.queue()).isEqualTo("webhooks");
      JsonNode payload = Api.JSON.readTree(webhook.payload());
      assertThat(payload.get("callbackUrl").asString()).isEqualTo("https://client.example/hooks");
      assertThat(payload.get("clientId").asLong()).isEqualTo(client.clientId());
      assertThat(payload.get("webhookId").asString()).startsWith("msg_");
      assertThat(payload.get("body").get("type").asString()).isEqualTo("report.completed");
      assertThat(payload.get("body").get("artifact").get("sha256").asString()).hasSize(64);
    }

    @Test
    void failedRecordsTheErrorAndAttempts() {
      Worker.Attempt a = worker.claim(reportId);
      worker.send(worker.started(a));

      assertApplied(worker.send(worker.failed(a, "NO_VOTERS", "county has no voters")), "FAILED");

      JsonNode view = report();
      assertThat(view.get("error").get("code").asString()).isEqualTo("NO_VOTERS");
      assertThat(view.get("error").get("message").asString()).isEqualTo("county has no voters");
      assertThat(view.get("attempts").asInt()).isEqualTo(1);
      assertThat(queue.findByUniqueKey("webhook:" + reportId)).isPresent();
    }

    @Test
    void fieldsANewerWorkerAddsAreIgnored() {
      Worker.Attempt a = worker.claim(reportId);
      String body = worker.started(a).replaceFirst("\\}$", ",\"hostname\":\"worker-7\"}");

      assertApplied(worker.send(body), "PROCESSING");
    }

    @Test
    void completedWithAnUnknownArtifactIs422AndChangesNothing() {
      Worker.Attempt a = worker.claim(reportId);

      Api.Response r = worker.send(worker.completed(a, UUID.randomUUID()));

      assertProblem(r, ProblemType.VALIDATION);
      assertThat(r.json().get("errors").findValuesAsString("field")).containsExactly("artifact.id");
      assertThat(report().get("status").asString()).isEqualTo("PENDING");
    }

    @Test
    void invalidEventFieldsAre422NamingThem() {
      Worker.Attempt a = worker.claim(reportId);
      String body =
          "{\"type\":\"report.progress\",\"reportId\":\""
              + reportId
              + "\",\"jobId\":"
              + a.jobId()
              + ",\"attempt\":0,\"progress\":101}";

      Api.Response r = worker.send(body);

      assertProblem(r, ProblemType.VALIDATION);
      assertThat(r.json().get("errors").findValuesAsString("field"))
          .containsExactlyInAnyOrder("attempt", "leaseToken", "progress");
    }
  }

  @Nested
  class Refused {

    @Test
    void outOfOrderEventsNeverMoveStatusBackwards() {
      Worker.Attempt a = worker.claim(reportId);
      UUID file = worker.storeArtifact(reportId, "r.csv", "text/csv", new byte[] {1});

      // completed overtakes started and progress (callbacks are retried independently)
      assertApplied(worker.send(worker.completed(a, file)), "COMPLETED");
      assertRefused(worker.send(worker.started(a)), "already COMPLETED");
      assertRefused(worker.send(worker.progress(a, 50)), "already COMPLETED");
      assertRefused(worker.send(worker.failed(a, "LATE", "late")), "already COMPLETED");

      JsonNode view = report();
      assertThat(view.get("status").asString()).isEqualTo("COMPLETED");
      assertThat(view.get("progress").asInt()).isEqualTo(100);
    }

    @Test
    void progressOutOfOrderIsRefused() {
      Worker.Attempt a = worker.claim(reportId);
      worker.send(worker.started(a));
      worker.send(worker.progress(a, 60));

      assertRefused(worker.send(worker.progress(a, 30)), "backwards");
      assertThat(report().get("progress").asInt()).isEqualTo(60);
    }

    @Test
    void duplicateEventUnderANewWebhookIdChangesNothing() {
      Worker.Attempt a = worker.claim(reportId);
      String started = worker.started(a);
      worker.send(started);

      assertRefused(worker.send(started), "duplicate");

      worker.send(worker.cancelled(a));
      assertRefused(worker.send(worker.cancelled(a)), "duplicate");
    }

    @Test
    void staleLeaseTokenIsRefusedAndTheNewerAttemptTakesOwnership() {
      Worker.Attempt first = worker.claim(reportId);
      worker.send(worker.started(first));
      worker.send(worker.progress(first, 70));
      // The first worker's lease expired; the job was rescued and claimed again.
      Worker.Attempt second = worker.reclaim(first);

      assertRefused(worker.send(worker.progress(first, 80)), "stale lease token");

      assertApplied(worker.send(worker.started(second)), "PROCESSING");
      JsonNode view = report();
      assertThat(view.get("attempts").asInt()).isEqualTo(2);
      assertThat(view.get("progress").asInt()).isZero();

      // The old attempt cannot finish the report either, even with a stored file.
      UUID file = worker.storeArtifact(reportId, "old.csv", "text/csv", new byte[] {1});
      assertRefused(worker.send(worker.completed(first, file)), "stale lease token");
      assertApplied(worker.send(worker.completed(second, file)), "COMPLETED");
    }

    @Test
    void aReleasedAttemptIsRefusedBeforeAnotherWorkerClaimsTheJob() {
      Worker.Attempt first = worker.claim(reportId);
      worker.send(worker.started(first));
      // The worker stops mid-report: the job goes back to the queue, and the interrupted handler,
      // seeing its lease lost, still reports a cancellation nobody asked for.
      worker.releaseJob(first);

      assertRefused(worker.send(worker.cancelled(first)), "stale lease token");
      assertThat(report().get("status").asString()).isEqualTo("PROCESSING");
    }

    @Test
    void newerAttemptsFirstEventTakesOwnershipEvenIfItIsNotStarted() {
      Worker.Attempt first = worker.claim(reportId);
      worker.send(worker.started(first));
      Worker.Attempt second = worker.reclaim(first);

      assertApplied(worker.send(worker.progress(second, 10)), "PROCESSING");

      assertThat(report().get("attempts").asInt()).isEqualTo(2);
      assertRefused(worker.send(worker.progress(first, 90)), "stale lease token");
    }

    @Test
    void ownerTokenStillWorksAfterTheJobWasPrunedFromTheQueue() {
      Worker.Attempt a = worker.claim(reportId);
      worker.send(worker.started(a));
      jdbc.sql("DELETE FROM conveyor.queue_job WHERE id = :id").param("id", a.jobId()).update();

      assertApplied(worker.send(worker.cancelled(a)), "CANCELLED");
    }

    @Test
    void eventBeforeAnyClaimIsRefused() {
      Worker.Attempt invented =
          new Worker.Attempt(reportId, worker.jobId(reportId), 1, UUID.randomUUID());

      assertRefused(worker.send(worker.started(invented)), "stale lease token");
      assertThat(report().get("status").asString()).isEqualTo("PENDING");
    }

    @Test
    void eventForAnotherJobIsRefused() {
      Worker.Attempt a = worker.claim(reportId);
      Worker.Attempt wrongJob =
          new Worker.Attempt(reportId, a.jobId() + 1_000_000, a.attempt(), a.leaseToken());

      assertRefused(worker.send(worker.started(wrongJob)), "is produced by job");
    }

    @Test
    void unknownReportIsRefused() {
      Worker.Attempt ghost =
          new Worker.Attempt(UUID.randomUUID().toString(), 1, 1, UUID.randomUUID());

      Api.Response r = worker.send(worker.started(ghost));

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("applied").asBoolean()).isFalse();
      assertThat(r.json().get("reason").asString()).startsWith("no report");
    }
  }

  /** Events for one report arriving at once, from threads released together by a latch. */
  @Nested
  class Concurrent {

    @Test
    void racingFinalEventsApplyExactlyOneAndEnqueueOneWebhookWithThatStatus() throws Exception {
      for (int round = 0; round < 10; round++) {
        String id = client.submitVoterList("https://client.example/hooks");
        Worker.Attempt a = worker.claim(id);
        worker.send(worker.started(a));
        UUID file =
            worker.storeArtifact(id, "r.csv", "text/csv", "a,b\n".getBytes(StandardCharsets.UTF_8));
        String completed = worker.completed(a, file);
        String failed = worker.failed(a, "BOOM", "it broke");
        String cancelled = worker.cancelled(a);

        List<Api.Response> responses =
            race(
                () -> worker.send(completed),
                () -> worker.send(failed),
                () -> worker.send(cancelled),
                () -> worker.send(completed));

        List<String> applied = new ArrayList<>();
        for (Api.Response r : responses) {
          assertThat(r.status()).as(r.toString()).isEqualTo(200);
          if (r.json().get("applied").asBoolean()) {
            applied.add(r.json().get("status").asString());
          }
        }
        assertThat(applied).hasSize(1);
        String status = applied.getFirst();
        assertThat(client.get("/api/reports/" + id).json().get("status").asString())
            .isEqualTo(status);
        assertThat(webhookPayloads(id))
            .singleElement()
            .asString()
            .contains("report." + status.toLowerCase(java.util.Locale.ROOT));
      }
    }

    @Test
    void oneDeliveryRepeatedAtOnceUnderItsWebhookIdIsAppliedOnce() throws Exception {
      for (int round = 0; round < 10; round++) {
        String id = client.submitVoterList("https://client.example/hooks");
        Worker.Attempt a = worker.claim(id);
        UUID file =
            worker.storeArtifact(id, "r.csv", "text/csv", "a,b\n".getBytes(StandardCharsets.UTF_8));
        String body = worker.completed(a, file);
        String webhookId = "msg_" + UUID.randomUUID();
        long now = java.time.Instant.now().getEpochSecond();

        List<Api.Response> responses =
            race(
                () -> worker.send(body, webhookId, now, Signing.CURRENT_SECRET),
                () -> worker.send(body, webhookId, now, Signing.CURRENT_SECRET),
                () -> worker.send(body, webhookId, now, Signing.CURRENT_SECRET));

        assertThat(responses)
            .filteredOn(r -> r.json().get("applied").asBoolean())
            .as(responses.toString())
            .hasSize(1);
        assertThat(
                jdbc.sql("SELECT count(*) FROM webhook_receipts WHERE webhook_id = :id")
                    .param("id", webhookId)
                    .query(Integer.class)
                    .single())
            .isEqualTo(1);
        assertThat(webhookPayloads(id)).singleElement().asString().contains("report.completed");
      }
    }

    @Test
    void progressEventsArrivingAtOnceEndAtTheHighest() throws Exception {
      for (int round = 0; round < 5; round++) {
        String id = client.submitVoterList();
        Worker.Attempt a = worker.claim(id);
        worker.send(worker.started(a));
        List<Callable<Api.Response>> sends = new ArrayList<>();
        for (int p = 10; p <= 90; p += 10) {
          String body = worker.progress(a, p);
          sends.add(() -> worker.send(body));
        }

        race(sends);

        assertThat(client.get("/api/reports/" + id).json().get("progress").asInt()).isEqualTo(90);
      }
    }
  }

  @Test
  void databaseRefusesAStatusMovingBackwardsWhoeverWrites() {
    Worker.Attempt a = worker.claim(reportId);
    worker.send(worker.started(a));

    assertThatThrownBy(
            () ->
                jdbc.sql("UPDATE reports SET status = 'PENDING' WHERE id = CAST(:id AS uuid)")
                    .param("id", reportId)
                    .update())
        .hasMessageContaining("cannot move from PROCESSING to PENDING");
    worker.send(worker.cancelled(a));
    assertThatThrownBy(
            () ->
                jdbc.sql(
                        "UPDATE reports SET status = 'PROCESSING', completed_at = NULL"
                            + " WHERE id = CAST(:id AS uuid)")
                    .param("id", reportId)
                    .update())
        .hasMessageContaining("cannot move from CANCELLED to PROCESSING");
  }

  private JsonNode report() {
    return client.get("/api/reports/" + reportId).json();
  }

  private static void assertApplied(Api.Response r, String status) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().get("applied").asBoolean()).as(r.toString()).isTrue();
    assertThat(r.json().get("status").asString()).isEqualTo(status);
  }

  private static void assertRefused(Api.Response r, String reason) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().get("applied").asBoolean()).as(r.toString()).isFalse();
    assertThat(r.json().get("reason").asString()).contains(reason);
  }
}
