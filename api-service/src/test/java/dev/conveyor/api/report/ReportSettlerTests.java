package dev.conveyor.api.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.Worker;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Reports whose job ended without a worker event (the rescuer discarded it after its last worker
 * died, a shutdown or an operator cancelled it, or it was pruned) are settled by the sweep, once
 * the grace for a late event has passed.
 */
class ReportSettlerTests extends ApiTestBase {

  private static final String HOOK = "https://client.example/hooks/reports";

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

  private void settle() {
    settler.settle(Instant.now().minus(ReportSettler.GRACE));
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
  void aJobThatEndedWithinTheGraceOrCompletedIsLeftToItsWorkersEvent() {
    String recent = processingReport();
    endJob(recent, "discarded", Duration.ofMinutes(1));
    String completed = processingReport();
    endJob(completed, "completed", Duration.ofHours(1));

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
}
