package dev.conveyor.worker.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.testsupport.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Storing a file as chunks, on the real database, in one transaction (rollback tier not used). */
class ArtifactRepositoryTests {

  static final TestDatabase db = TestDatabase.get();
  final JdbcClient jdbc = JdbcClient.create(db.dataSource());
  final TransactionTemplate tx =
      new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
  final ArtifactRepository artifacts = new ArtifactRepository(jdbc);

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

  @Test
  void storesAFileLargerThanAChunkInOrderWithItsSizeAndDigest() throws Exception {
    long owner = newOwner();
    byte[] content = new byte[ArtifactOutputStream.CHUNK_SIZE * 2 + 12_345];
    new Random(7).nextBytes(content);
    UUID id = UUID.randomUUID();
    UUID reportId = UUID.randomUUID();

    tx.executeWithoutResult(
        status -> {
          ArtifactOutputStream out = artifacts.create(id, owner, "big.csv", "text/csv");
          // Uneven writes, so chunk boundaries fall inside them.
          for (int off = 0; off < content.length; off += 100_003) {
            out.write(content, off, Math.min(100_003, content.length - off));
          }
          out.write(content, 0, 0);
          out.close();
          artifacts.markStored(id, reportId, out.size(), out.sha256());
        });

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
    var row =
        jdbc.sql("SELECT size_bytes, sha256, report_id FROM artifacts WHERE id = :id")
            .param("id", id)
            .query()
            .singleRow();
    assertThat(((Number) row.get("size_bytes")).longValue()).isEqualTo(content.length);
    assertThat(row.get("report_id")).isEqualTo(reportId); // what the API settles a report from
    assertThat(row.get("sha256"))
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
  }

  @Test
  void aRolledBackAttemptLeavesNothingBehind() {
    long owner = newOwner();
    UUID id = UUID.randomUUID();

    tx.executeWithoutResult(
        status -> {
          ArtifactOutputStream out = artifacts.create(id, owner, "partial.csv", "text/csv");
          out.write(new byte[10], 0, 10);
          out.close();
          status.setRollbackOnly();
        });

    assertThat(
            jdbc.sql("SELECT count(*) FROM artifacts WHERE id = :id")
                .param("id", id)
                .query(Long.class)
                .single())
        .isZero();
  }
}
