package dev.conveyor.api.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.Worker;
import dev.conveyor.api.auth.Role;
import dev.conveyor.api.web.ProblemType;
import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobState;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class CancelReportTests extends ApiTestBase {

  @Autowired JobQueue queue;

  @Test
  void pendingReportIsCancelledNowWithItsJob() {
    Api client = newClient();
    String id = client.submitVoterList();

    Api.Response r = client.post("/api/reports/" + id + "/cancel", "");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("status").asString()).isEqualTo("CANCELLED");
    assertThat(r.json().get("completedAt").isNull()).isFalse();
    assertThat(queue.findByUniqueKey(id).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(client.get("/api/reports/" + id).json().get("status").asString())
        .isEqualTo("CANCELLED");
  }

  @Test
  void runningReportGetsACancellationRequest() {
    Api client = newClient();
    String id = client.submitVoterList();
    Worker worker = worker();
    Worker.Attempt attempt = worker.claim(id);
    worker.send(worker.started(attempt));

    Api.Response r = client.post("/api/reports/" + id + "/cancel", "");

    assertThat(r.status()).isEqualTo(202);
    assertThat(r.json().get("status").asString()).isEqualTo("PROCESSING");
    assertThat(r.json().get("cancelRequested").asBoolean()).isTrue();
    Job job = queue.findByUniqueKey(id).orElseThrow();
    assertThat(job.state()).isEqualTo(JobState.RUNNING);
    assertThat(job.cancelRequested()).isTrue();

    // The worker stops and says so: the report ends CANCELLED.
    assertThat(worker.send(worker.cancelled(attempt)).json().get("applied").asBoolean()).isTrue();
    assertThat(client.get("/api/reports/" + id).json().get("status").asString())
        .isEqualTo("CANCELLED");
  }

  @Test
  void claimedButNotYetStartedReportGetsACancellationRequest() {
    Api client = newClient();
    String id = client.submitVoterList();
    worker().claim(id);

    Api.Response r = client.post("/api/reports/" + id + "/cancel", "");

    assertThat(r.status()).isEqualTo(202);
    assertThat(r.json().get("status").asString()).isEqualTo("PENDING");
    assertThat(r.json().get("cancelRequested").asBoolean()).isTrue();
  }

  @Test
  void finishedReportCannotBeCancelled() {
    Api client = newClient();
    String id = client.submitVoterList();
    client.post("/api/reports/" + id + "/cancel", "");

    Api.Response again = client.post("/api/reports/" + id + "/cancel", "");

    assertProblem(again, ProblemType.CONFLICT);
  }

  @Test
  void cancellingAReportWithACallbackUrlEnqueuesItsWebhook() {
    Api client = newClient();
    String id = client.submitVoterList("https://client.example/hooks/reports");

    client.post("/api/reports/" + id + "/cancel", "");

    Job webhook = queue.findByUniqueKey("webhook:" + id).orElseThrow();
    assertThat(webhook.kind()).isEqualTo("webhook.deliver");
    assertThat(webhook.queue()).isEqualTo("webhooks");
    assertThat(webhook.payload())
        .contains("report.cancelled", "https://client.example/hooks/reports");
  }

  /**
   * A cancellation was requested; then the worker stopped before its handler said so (a shutdown
   * handed the job back, which ends a cancel-requested job cancelled, and the stopped handler,
   * having lost its lease, sends nothing; the rescuer does the same for a killed worker). No event
   * will ever come: the client's next cancel settles the report instead of a 409 for ever.
   */
  @Test
  void cancelSettlesAReportWhoseJobEndedCancelledWithoutItsWorkerSayingSo() {
    Api client = newClient();
    String id = client.submitVoterList("https://client.example/hooks/reports");
    Worker worker = worker();
    Worker.Attempt attempt = worker.claim(id);
    worker.send(worker.started(attempt));
    assertThat(client.post("/api/reports/" + id + "/cancel", "").status()).isEqualTo(202);
    worker.releaseJob(attempt);
    assertThat(queue.findByUniqueKey(id).orElseThrow().state()).isEqualTo(JobState.CANCELLED);

    Api.Response r = client.post("/api/reports/" + id + "/cancel", "");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("status").asString()).isEqualTo("CANCELLED");
    assertThat(client.get("/api/reports/" + id).json().get("status").asString())
        .isEqualTo("CANCELLED");
    assertThat(webhookPayloads(id)).singleElement().asString().contains("report.cancelled");
  }

  /** An operator cancelled the job of a waiting report; the client's cancel settles the report. */
  @Test
  void cancelSettlesAReportWhoseWaitingJobAnOperatorCancelled() {
    Api client = newClient();
    String id = client.submitVoterList();
    Api admin = newClient(Role.ADMIN);
    long jobId = worker().jobId(id);
    assertThat(admin.post("/api/admin/jobs/" + jobId + "/cancel", "").status()).isEqualTo(200);

    Api.Response r = client.post("/api/reports/" + id + "/cancel", "");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("status").asString()).isEqualTo("CANCELLED");
  }

  /**
   * The client's cancel races the worker finishing (its job completed in the queue, then
   * report.completed): whichever wins, the report reaches exactly one final status, the one the job
   * reached, and exactly one webhook is enqueued, carrying it.
   */
  @Test
  void cancelRacingTheWorkersCompletionEndsCompletedWithOneWebhook() throws Exception {
    for (int round = 0; round < 15; round++) {
      Api client = newClient();
      String id = client.submitVoterList("https://client.example/hooks/reports");
      Worker worker = worker();
      Worker.Attempt attempt = worker.claim(id);
      worker.send(worker.started(attempt));
      UUID file =
          worker.storeArtifact(
              id, "r.csv", "text/csv", "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8));

      List<Object> results =
          race(
              () -> client.post("/api/reports/" + id + "/cancel", "").status(),
              () -> {
                assertThat(worker.completeJob(attempt)).isTrue();
                return worker
                    .send(worker.completed(attempt, file))
                    .json()
                    .get("applied")
                    .asBoolean();
              });

      assertThat(results.get(0)).isIn(202, 409);
      assertThat(results.get(1)).isEqualTo(true);
      assertThat(client.get("/api/reports/" + id).json().get("status").asString())
          .isEqualTo("COMPLETED");
      assertThat(webhookPayloads(id)).singleElement().asString().contains("report.completed");
    }
  }

  /**
   * The client's cancel races a worker claiming the job and reporting report.started: either the
   * job is cancelled before the claim (the report ends CANCELLED, the claim finds nothing) or the
   * claim wins (a cancellation request; the worker's report.cancelled ends it). One final status,
   * one webhook.
   */
  @Test
  void cancelRacingTheClaimAndStartEndsCancelledWithOneWebhook() throws Exception {
    for (int round = 0; round < 15; round++) {
      Api client = newClient();
      String id = client.submitVoterList("https://client.example/hooks/reports");
      Worker worker = worker();

      List<Object> results =
          race(
              () -> client.post("/api/reports/" + id + "/cancel", "").status(),
              () -> {
                try {
                  Worker.Attempt a = worker.claim(id);
                  worker.send(worker.started(a));
                  return a;
                } catch (RuntimeException lostTheRace) {
                  return null;
                }
              });

      if (results.get(1) instanceof Worker.Attempt a) {
        assertThat(results.get(0)).isEqualTo(202);
        assertThat(worker.send(worker.cancelled(a)).json().get("applied").asBoolean()).isTrue();
      } else {
        assertThat(results.get(0)).isEqualTo(200);
      }
      assertThat(client.get("/api/reports/" + id).json().get("status").asString())
          .isEqualTo("CANCELLED");
      assertThat(webhookPayloads(id)).singleElement().asString().contains("report.cancelled");
    }
  }
}
