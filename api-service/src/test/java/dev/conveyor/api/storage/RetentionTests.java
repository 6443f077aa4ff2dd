package dev.conveyor.api.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.Worker;
import dev.conveyor.api.auth.Role;
import dev.conveyor.api.web.ProblemType;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The retention sweep on the shared application context. Rows are made old by backdating their own
 * timestamps, so the sweep (run directly, with the real clock) touches nothing else.
 */
class RetentionTests extends ApiTestBase {

  private static final long SWEEP_LOCK = 7165066987174196325L;

  @Autowired RetentionSweeper sweeper;
  @Autowired ClientStorage storage;
  @Autowired PlatformTransactionManager transactionManager;

  @Nested
  class ReportFiles {

    @Test
    void aFileOlderThanTheArtifactRetentionIsDeletedAndItsDownloadIs410() {
      Api client = newClient();
      String expired = completedReport(client, "old.csv");
      String kept = completedReport(client, "recent.csv");
      assertThat(usedBytes(client)).isEqualTo(2 * CSV.length);
      backdateCompletion(expired, "31 days");
      backdateCompletion(kept, "29 days");

      RetentionSweeper.Swept swept = sweeper.sweep(Instant.now());

      assertThat(swept.artifacts()).isGreaterThanOrEqualTo(1);
      JsonNode view = client.get("/api/reports/" + expired).json();
      assertThat(view.get("status").asString()).isEqualTo("COMPLETED");
      assertThat(view.get("artifact").isNull()).isTrue();
      assertThat(Instant.parse(view.get("artifactExpiredAt").asString()))
          .isBefore(Instant.now().plusSeconds(1));
      Api.Response download = client.get("/api/reports/" + expired + "/artifact");
      assertProblem(download, ProblemType.GONE);
      assertThat(download.json().get("detail").asString()).contains("retention");
      // The chunks went with their artifact, and the client's count with them.
      assertThat(artifactsOf(client)).isEqualTo(1);
      assertThat(usedBytes(client)).isEqualTo(CSV.length);
      assertThat(
              jdbc.sql(
                      "SELECT count(*) FROM artifact_chunks c JOIN artifacts a"
                          + " ON a.id = c.artifact_id WHERE a.owner_id = :owner")
                  .param("owner", client.clientId())
                  .query(Long.class)
                  .single())
          .isEqualTo((CSV.length + 6) / 7);

      JsonNode recent = client.get("/api/reports/" + kept).json();
      assertThat(recent.get("artifact").get("sizeBytes").asLong()).isEqualTo(CSV.length);
      assertThat(recent.get("artifactExpiredAt").isNull()).isTrue();
      assertThat(client.getBytes("/api/reports/" + kept + "/artifact").body()).isEqualTo(CSV);
    }
  }

  @Nested
  class Reports {

    @Test
    void aFinalReportOlderThanTheReportRetentionIsDeletedAndThenA404() {
      Api client = newClient();
      String cancelled = client.submitVoterList();
      assertThat(client.post("/api/reports/" + cancelled + "/cancel", "").status()).isEqualTo(200);
      String completed = completedReport(client, "file.csv");
      String young = client.submitVoterList();
      assertThat(client.post("/api/reports/" + young + "/cancel", "").status()).isEqualTo(200);
      String unfinished = client.submitVoterList();
      backdateCompletion(cancelled, "91 days");
      // Its file goes first (artifact retention), then the report.
      backdateCompletion(completed, "91 days");
      backdateCompletion(young, "89 days");
      jdbc.sql(
              "UPDATE reports SET created_at = now() - interval '1 year' WHERE id = CAST(:id AS uuid)")
          .param("id", unfinished)
          .update();

      RetentionSweeper.Swept swept = sweeper.sweep(Instant.now());

      assertThat(swept.reports()).isGreaterThanOrEqualTo(2);
      Api.Response gone = client.get("/api/reports/" + cancelled);
      assertProblem(gone, ProblemType.NOT_FOUND);
      assertThat(client.get("/api/reports/" + completed).status()).isEqualTo(404);
      assertThat(client.get("/api/reports/" + completed + "/artifact").status()).isEqualTo(404);
      assertThat(artifactsOf(client)).isZero();
      assertThat(usedBytes(client)).isZero();
      assertThat(client.get("/api/reports/" + young).status()).isEqualTo(200);
      assertThat(client.get("/api/reports/" + unfinished).json().get("status").asString())
          .isEqualTo("PENDING");
    }
  }

  @Nested
  class Uploads {

    @Test
    void anOldUploadIsDeletedUnlessAnUnfinishedReportOrJobNeedsIt() {
      Api client = newClient(Role.REGISTRAR); // voterImport needs a registrar key
      String unused = upload(client);
      String ofPendingReport = upload(client);
      String ofCancelledReport = upload(client);
      String ofRetriedJob = upload(client);
      String recent = upload(client);
      submitImport(client, ofPendingReport);
      String cancelled = submitImport(client, ofCancelledReport);
      assertThat(client.post("/api/reports/" + cancelled + "/cancel", "").status()).isEqualTo(200);
      // A final report whose job an operator retried: the job will read the upload again.
      String retried = submitImport(client, ofRetriedJob);
      assertThat(client.post("/api/reports/" + retried + "/cancel", "").status()).isEqualTo(200);
      jdbc.sql(
              "UPDATE conveyor.queue_job SET state = 'available', finalized_at = NULL"
                  + " WHERE id = (SELECT job_id FROM reports WHERE id = CAST(:id AS uuid))")
          .param("id", retried)
          .update();
      for (String id : new String[] {unused, ofPendingReport, ofCancelledReport, ofRetriedJob}) {
        jdbc.sql(
                "UPDATE artifacts SET created_at = now() - interval '25 hours' WHERE id = CAST(:id AS uuid)")
            .param("id", id)
            .update();
      }

      RetentionSweeper.Swept swept = sweeper.sweep(Instant.now());

      assertThat(swept.uploads()).isGreaterThanOrEqualTo(2);
      assertThat(uploadsOf(client))
          .containsExactlyInAnyOrder(ofPendingReport, ofRetriedJob, recent);
      assertThat(usedBytes(client)).isEqualTo(3L * UPLOAD.length);
    }

    @Test
    void anUploadASubmissionIsHoldingIsNotDeleted() throws Exception {
      Api client = newClient();
      String held = upload(client);
      jdbc.sql(
              "UPDATE artifacts SET created_at = now() - interval '25 hours' WHERE id = CAST(:id AS uuid)")
          .param("id", held)
          .update();

      // A voterImport submission holds its upload in its transaction, still open here, while the
      // sweep runs on another thread (its own transaction and connection).
      Boolean keptWhileHeld =
          new TransactionTemplate(transactionManager)
              .execute(
                  status -> {
                    assertThat(storage.holdUpload(UUID.fromString(held), client.clientId()))
                        .isTrue();
                    CompletableFuture.runAsync(() -> sweeper.sweep(Instant.now())).join();
                    return uploadsOf(client).contains(held);
                  });
      assertThat(keptWhileHeld).isTrue();

      sweeper.sweep(Instant.now());
      assertThat(uploadsOf(client)).isEmpty();
    }
  }

  @Test
  void whileAnotherReplicaSweepsThisOneLeavesTheRoundToIt() throws Exception {
    Api client = newClient();
    String cancelled = client.submitVoterList();
    assertThat(client.post("/api/reports/" + cancelled + "/cancel", "").status()).isEqualTo(200);
    backdateCompletion(cancelled, "91 days");

    try (Connection other = dataSource.getConnection()) {
      other.setAutoCommit(false);
      try (Statement s = other.createStatement()) {
        s.execute("SELECT pg_advisory_xact_lock(" + SWEEP_LOCK + ")");
      }
      RetentionSweeper.Swept swept = sweeper.sweep(Instant.now());
      assertThat(swept.skipped()).isTrue();
      assertThat(swept.total()).isZero();
      assertThat(client.get("/api/reports/" + cancelled).status()).isEqualTo(200);
      other.rollback();
    }

    RetentionSweeper.Swept swept = sweeper.sweep(Instant.now());
    assertThat(swept.skipped()).isFalse();
    assertThat(client.get("/api/reports/" + cancelled).status()).isEqualTo(404);
  }

  // --- helpers -----------------------------------------------------------------------------

  private static final byte[] CSV =
      "id,name\n1,Ada Lovelace\n2,Grace Hopper\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] UPLOAD =
      "state_voter_id,last_name\nNY1,Doe\n".getBytes(StandardCharsets.UTF_8);

  private String completedReport(Api client, String filename) {
    String id = client.submitVoterList();
    Worker worker = worker();
    Worker.Attempt attempt = worker.claim(id);
    UUID artifact = worker.storeArtifact(id, filename, "text/csv", CSV);
    assertThat(worker.send(worker.completed(attempt, artifact)).status()).isEqualTo(200);
    assertThat(client.get("/api/reports/" + id).json().get("status").asString())
        .isEqualTo("COMPLETED");
    return id;
  }

  private void backdateCompletion(String reportId, String age) {
    jdbc.sql(
            "UPDATE reports SET completed_at = now() - CAST(:age AS interval) WHERE id = CAST(:id AS uuid)")
        .param("age", age)
        .param("id", reportId)
        .update();
  }

  private String upload(Api client) {
    Api.Response r = client.postChunked("/api/uploads?filename=in.csv", "text/csv", UPLOAD);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.json().get("uploadId").asString();
  }

  private String submitImport(Api client, String uploadId) {
    Api.Response r =
        client.submit(
            "{\"type\":\"voterImport\",\"format\":\"CSV\",\"parameters\":{\"uploadId\":\""
                + uploadId
                + "\",\"county\":\"Kings\"}}");
    assertThat(r.status()).as(r.toString()).isEqualTo(202);
    return r.json().get("reportId").asString();
  }

  private java.util.List<String> uploadsOf(Api client) {
    return jdbc.sql("SELECT id::text FROM artifacts WHERE owner_id = :owner AND kind = 'upload'")
        .param("owner", client.clientId())
        .query(String.class)
        .list();
  }

  private long usedBytes(Api client) {
    return jdbc.sql("SELECT coalesce(sum(used_bytes), 0) FROM client_storage WHERE client_id = :id")
        .param("id", client.clientId())
        .query(Long.class)
        .single();
  }
}
