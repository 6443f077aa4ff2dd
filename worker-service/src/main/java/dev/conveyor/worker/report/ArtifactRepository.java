package dev.conveyor.worker.report;

import dev.conveyor.worker.SqlFiles;
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

  private static final String INSERT =
      SqlFiles.load(ArtifactRepository.class, "insert_artifact.sql");
  private static final String MARK_STORED =
      SqlFiles.load(ArtifactRepository.class, "mark_artifact_stored.sql");

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

  /**
   * The file is whole, and it is {@code reportId}'s (the fact the API can settle the report from).
   */
  void markStored(UUID id, UUID reportId, long size, String sha256) {
    jdbc.sql(MARK_STORED)
        .param("id", id)
        .param("reportId", reportId)
        .param("size", size)
        .param("sha256", sha256)
        .update();
  }
}
