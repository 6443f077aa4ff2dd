package dev.conveyor.worker.report;

import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Writes report files into {@code artifacts} + {@code artifact_chunks}, the tables the API serves
 * downloads from. Every method joins the caller's transaction: the handler writes the row, the
 * chunks and the final size and digest in the transaction that completes the job, so a file is
 * visible exactly when its job completed (and a failed attempt leaves nothing behind).
 */
@Repository
class ArtifactRepository {

  // The artifact row first (the chunks reference it); size and digest are set by markStored once
  // the last chunk is written, in the same transaction, so the placeholders are never visible.
  private static final String INSERT =
      """
      INSERT INTO artifacts (id, owner_id, kind, filename, content_type, size_bytes, sha256)
      VALUES (:id, :ownerId, 'report', :filename, :contentType, 0, repeat('0', 64))
      """;

  private static final String MARK_STORED =
      "UPDATE artifacts SET size_bytes = :size, sha256 = :sha256 WHERE id = :id";

  private final JdbcClient jdbc;

  ArtifactRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Inserts the artifact row and returns a stream for its bytes. */
  ArtifactOutputStream create(UUID id, long ownerId, String filename, String contentType) {
    jdbc.sql(INSERT)
        .param("id", id)
        .param("ownerId", ownerId)
        .param("filename", filename)
        .param("contentType", contentType)
        .update();
    return new ArtifactOutputStream(jdbc, id);
  }

  void markStored(UUID id, long size, String sha256) {
    jdbc.sql(MARK_STORED).param("id", id).param("size", size).param("sha256", sha256).update();
  }
}
