package dev.conveyor.api.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.Worker;
import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobState;
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

    assertThat(again.status()).isEqualTo(409);
    assertThat(again.contentType()).startsWith("application/problem+json");
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
}
