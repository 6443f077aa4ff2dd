package dev.conveyor.worker.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.contract.SqlFiles;
import dev.conveyor.queue.LeaseLostException;
import dev.conveyor.testsupport.TestDatabase;
import dev.conveyor.worker.ArtifactSweepProperties;
import dev.conveyor.worker.VoterImportProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Storing a file as chunks on the real database: each chunk committed on its own and fenced by the
 * attempt's lease token, the file marked stored only with the job's completion, and the sweep of
 * files whose attempt no longer runs.
 */
class ArtifactRepositoryTests {

  static final TestDatabase db = TestDatabase.get();
  final JdbcClient jdbc = JdbcClient.create(db.dataSource());
  final TransactionTemplate tx =
      new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
  final ArtifactRepository artifacts =
      new ArtifactRepository(jdbc, Objects.requireNonNull(tx.getTransactionManager()));

  @AfterEach
  void endJobs() {
    TestJobContext.endAll();
  }

  private long newOwner() {
    String name = "artifact-test-" + System.nanoTime();
    byte[] hash = new byte[32];
    new Random().nextBytes(hash);
    return jdbc.sql(
            "INSERT INTO api_clients (name, key_hash, key_prefix) VALUES (:n, :h, 'cvk_')"
                + " RETURNING id")
        .param("n", name)
        .param("h", hash)
        .query(Long.class)
        .single();
  }

  private TestJobContext attempt() {
    return new TestJobContext(tx, UUID.randomUUID(), 1, 5, false);
  }

  private ArtifactOutputStream create(UUID id, TestJobContext ctx) {
    return artifacts.create(id, newOwner(), "f.csv", "text/csv", ctx.jobId(), ctx.token);
  }

  private Map<String, Object> row(UUID id) {
    return jdbc.sql(
            "SELECT stored, size_bytes, sha256, (SELECT count(*) FROM artifact_chunks"
                + " WHERE artifact_id = a.id) AS chunks FROM artifacts a WHERE id = :id")
        .param("id", id)
        .query()
        .singleRow();
  }

  private boolean exists(UUID id) {
    return jdbc.sql("SELECT count(*) FROM artifacts WHERE id = :id")
            .param("id", id)
            .query(Long.class)
            .single()
        > 0;
  }

  @Nested
  class Writing {

    @Test
    void storesAFileLargerThanAChunkInOrderWithItsSizeAndDigest() throws Exception {
      byte[] content = new byte[ArtifactOutputStream.CHUNK_SIZE * 2 + 12_345];
      new Random(7).nextBytes(content);
      UUID id = UUID.randomUUID();
      TestJobContext ctx = attempt();

      ArtifactOutputStream out = create(id, ctx);
      // Uneven writes, so chunk boundaries fall inside them.
      for (int off = 0; off < content.length; off += 100_003) {
        out.write(content, off, Math.min(100_003, content.length - off));
      }
      out.write(content, 0, 0);
      out.close();
      String sha256 = out.sha256();
      UUID reportId = UUID.randomUUID();
      ctx.completeWithin(() -> artifacts.markStored(id, ctx.jobId(), reportId, out.size(), sha256));

      List<byte[]> chunks =
          jdbc.sql("SELECT data FROM artifact_chunks WHERE artifact_id = :id ORDER BY seq")
              .param("id", id)
              .query((rs, n) -> rs.getBytes(1))
              .list();
      assertThat(chunks).hasSize(3);
      assertThat(chunks.get(0)).hasSize(ArtifactOutputStream.CHUNK_SIZE);
      ByteArrayOutputStream joined = new ByteArrayOutputStream();
      for (byte[] c : chunks) {
        joined.write(c);
      }
      assertThat(joined.toByteArray()).isEqualTo(content);
      Map<String, Object> row = row(id);
      assertThat(row).containsEntry("stored", true);
      assertThat(((Number) row.get("size_bytes")).longValue()).isEqualTo(content.length);
      // What the API settles a report from when its report.completed never arrives.
      assertThat(
              jdbc.sql("SELECT report_id FROM artifacts WHERE id = :id")
                  .param("id", id)
                  .query(UUID.class)
                  .single())
          .isEqualTo(reportId);
      assertThat(row.get("sha256"))
          .isEqualTo(
              HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
    }

    /** Nothing waits for the end: each chunk is committed, the file is unstored until then. */
    @Test
    void chunksAreCommittedAsWrittenAndTheFileIsUnstoredUntilTheJobCompletes() {
      UUID id = UUID.randomUUID();
      TestJobContext ctx = attempt();

      ArtifactOutputStream out = create(id, ctx);
      out.write(
          new byte[ArtifactOutputStream.CHUNK_SIZE + 1], 0, ArtifactOutputStream.CHUNK_SIZE + 1);

      assertThat(row(id)).containsEntry("stored", false).containsEntry("chunks", 1L);
      out.close();
      assertThat(row(id)).containsEntry("stored", false).containsEntry("chunks", 2L);
    }

    @Test
    void anAttemptThatLostTheJobCannotStartAFile() {
      TestJobContext ctx = attempt().loseLease();

      assertThatThrownBy(() -> create(UUID.randomUUID(), ctx))
          .isInstanceOf(LeaseLostException.class);
    }

    @Test
    void anAttemptThatLostTheJobWritesNoFurtherChunk() {
      UUID id = UUID.randomUUID();
      TestJobContext ctx = attempt();
      ArtifactOutputStream out = create(id, ctx);
      out.write(new byte[10], 0, 10);
      ctx.loseLease();

      assertThatThrownBy(out::close).isInstanceOf(LeaseLostException.class);
      assertThat(row(id)).containsEntry("chunks", 0L);
    }

    @Test
    void aFileTheSweepRemovedCannotBeMarkedStoredAndTheCompletionRollsBack() {
      UUID id = UUID.randomUUID();
      TestJobContext ctx = attempt();
      ArtifactOutputStream out = create(id, ctx);
      out.write(new byte[10], 0, 10);
      out.close();
      assertThat(artifacts.deleteUnstored(id)).isTrue();

      assertThatThrownBy(
              () ->
                  ctx.completeWithin(
                      () ->
                          artifacts.markStored(
                              id, ctx.jobId(), UUID.randomUUID(), 10, "0".repeat(64))))
          .isInstanceOf(LeaseLostException.class);
      assertThat(ctx.completed).isFalse();
      assertThat(
              jdbc.sql("SELECT state FROM conveyor.queue_job WHERE id = :id")
                  .param("id", ctx.jobId())
                  .query(String.class)
                  .single())
          .isEqualTo("running");
    }

    @Test
    void deleteUnstoredNeverTouchesAStoredFile() {
      UUID id = UUID.randomUUID();
      TestJobContext ctx = attempt();
      ArtifactOutputStream out = create(id, ctx);
      out.write(new byte[10], 0, 10);
      out.close();
      String sha256 = out.sha256();
      ctx.completeWithin(
          () -> artifacts.markStored(id, ctx.jobId(), UUID.randomUUID(), 10, sha256));

      assertThat(artifacts.deleteUnstored(id)).isFalse();
      assertThat(row(id)).containsEntry("stored", true).containsEntry("chunks", 1L);
    }
  }

  @Nested
  class Sweep {

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final ArtifactSweeper sweeper =
        new ArtifactSweeper(
            artifacts,
            new ArtifactSweepProperties(Duration.ofMinutes(1), 2, 50),
            new ImportStagingRepository(jdbc),
            new VoterImportProperties(2_000),
            Objects.requireNonNull(tx.getTransactionManager()),
            meters);

    /** A file of {@code ctx} with two chunks written, not stored. */
    private UUID unfinished(TestJobContext ctx) {
      UUID id = UUID.randomUUID();
      ArtifactOutputStream out = create(id, ctx);
      out.write(
          new byte[ArtifactOutputStream.CHUNK_SIZE + 5], 0, ArtifactOutputStream.CHUNK_SIZE + 5);
      out.close();
      return id;
    }

    @Test
    void removesTheFilesOfAttemptsThatNoLongerRunWithTheirChunks() {
      TestJobContext rescued = attempt();
      UUID ofRescued = unfinished(rescued);
      rescued.loseLease();
      TestJobContext failed = attempt();
      UUID ofFailed = unfinished(failed);
      TestJobContext.endAll(); // discarded, as after a failed last attempt
      TestJobContext pruned = attempt();
      UUID ofPruned = unfinished(pruned);
      jdbc.sql("DELETE FROM conveyor.queue_job WHERE id = :id")
          .param("id", pruned.jobId())
          .update();
      double before = meters.counter("conveyor.artifacts.swept").count();

      // Batches of 2: the sweep repeats full batches until one is not full.
      assertThat(sweeper.sweepNow()).isGreaterThanOrEqualTo(3);

      assertThat(List.of(ofRescued, ofFailed, ofPruned))
          .noneMatch(ArtifactRepositoryTests.this::exists);
      assertThat(
              jdbc.sql("SELECT count(*) FROM artifact_chunks WHERE artifact_id IN (:a, :b, :c)")
                  .param("a", ofRescued)
                  .param("b", ofFailed)
                  .param("c", ofPruned)
                  .query(Long.class)
                  .single())
          .isZero();
      assertThat(meters.counter("conveyor.artifacts.swept").count())
          .isGreaterThanOrEqualTo(before + 3);
    }

    @Test
    void keepsTheFileOfARunningAttemptAndStoredFiles() {
      TestJobContext running = attempt();
      UUID inProgress = unfinished(running);
      TestJobContext done = attempt();
      UUID stored = UUID.randomUUID();
      ArtifactOutputStream out = create(stored, done);
      out.write(new byte[3], 0, 3);
      out.close();
      String sha256 = out.sha256();
      done.completeWithin(
          () -> artifacts.markStored(stored, done.jobId(), UUID.randomUUID(), 3, sha256));

      sweeper.sweepNow();

      assertThat(row(inProgress)).containsEntry("stored", false).containsEntry("chunks", 2L);
      assertThat(row(stored)).containsEntry("stored", true).containsEntry("chunks", 1L);
    }

    /**
     * The sweep reads only the unstored files through its partial index, however many stored files
     * the table keeps (20,000 here, removed after), and the job of each by primary key.
     */
    @Test
    void readsTheUnstoredFilesThroughItsPartialIndex() {
      long owner = newOwner();
      String prefix = "plan-" + System.nanoTime() + "-";
      jdbc.sql(
              """
              INSERT INTO artifacts (id, owner_id, kind, filename, content_type, size_bytes, sha256)
              SELECT gen_random_uuid(), :owner, 'report', :prefix || i || '.csv', 'text/csv', 1,
                     repeat('a', 64)
              FROM generate_series(1, 20000) AS i
              """)
          .param("owner", owner)
          .param("prefix", prefix)
          .update();
      try {
        jdbc.sql("ANALYZE artifacts").update();
        String plan =
            String.join(
                "\n",
                jdbc.sql(
                        "EXPLAIN "
                            + SqlFiles.load(
                                    ArtifactRepository.class, "sweep_unstored_artifacts.sql")
                                .replace(":batch", "20"))
                    .query(String.class)
                    .list());

        assertThat(plan).contains("artifacts_unstored_idx").doesNotContain("Seq Scan on artifacts");
      } finally {
        jdbc.sql("DELETE FROM artifacts WHERE owner_id = :owner").param("owner", owner).update();
        jdbc.sql("ANALYZE artifacts").update();
      }
    }

    /**
     * Every replica sweeps: a file another sweep (or a writer) holds is skipped, not waited for.
     */
    @Test
    void skipsAFileAnotherTransactionHoldsAndTakesItLater() {
      TestJobContext dead = attempt();
      UUID id = unfinished(dead);
      dead.loseLease();

      tx.executeWithoutResult(
          status -> {
            jdbc.sql("SELECT id FROM artifacts WHERE id = :id FOR UPDATE")
                .param("id", id)
                .query()
                .listOfRows();
            // Another sweep (its own connection and transaction) passes the locked row by.
            artifacts.sweepUnstored(100);
            assertThat(
                    jdbc.sql("SELECT count(*) FROM artifacts WHERE id = :id")
                        .param("id", id)
                        .query(Long.class)
                        .single())
                .isOne();
          });

      artifacts.sweepUnstored(100);
      assertThat(exists(id)).isFalse();
    }
  }
}
