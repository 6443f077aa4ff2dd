package dev.conveyor.worker.report;

import dev.conveyor.contract.SqlFiles;
import dev.conveyor.queue.LeaseLostException;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes report files into {@code artifacts} + {@code artifact_chunks}, the tables the API serves
 * downloads from. The row and each chunk are written in short transactions of their own (never the
 * caller's, which voterImport keeps open for its registry upsert), fenced by the attempt's lease
 * token; only {@link #markStored}, in the transaction that completes the job, makes the file a
 * finished one. An attempt that does not get that far leaves an unstored file, which it deletes
 * itself when it can ({@link #deleteUnstored}) and the sweep ({@link #sweepUnstored}) otherwise.
 */
@Repository
class ArtifactRepository {

  private static final String INSERT =
      SqlFiles.load(ArtifactRepository.class, "insert_artifact.sql");
  private static final String MARK_STORED =
      SqlFiles.load(ArtifactRepository.class, "mark_artifact_stored.sql");
  private static final String DELETE_UNSTORED =
      SqlFiles.load(ArtifactRepository.class, "delete_unstored_artifact.sql");
  private static final String SWEEP =
      SqlFiles.load(ArtifactRepository.class, "sweep_unstored_artifacts.sql");

  private final JdbcClient jdbc;
  private final TransactionTemplate ownTransaction;

  ArtifactRepository(JdbcClient jdbc, PlatformTransactionManager transactions) {
    this.jdbc = jdbc;
    this.ownTransaction = new TransactionTemplate(transactions);
    this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
  }

  /**
   * Inserts the (unstored) artifact row of the attempt holding {@code jobId} with {@code token} and
   * returns a stream for its bytes; {@link LeaseLostException} if the attempt no longer holds the
   * job.
   */
  ArtifactOutputStream create(
      UUID id, long ownerId, String filename, String contentType, long jobId, UUID token) {
    Integer inserted =
        ownTransaction.execute(
            s ->
                jdbc.sql(INSERT)
                    .param("id", id)
                    .param("ownerId", ownerId)
                    .param("filename", filename)
                    .param("contentType", contentType)
                    .param("jobId", jobId)
                    .param("token", token)
                    .update());
    if (inserted == null || inserted == 0) {
      throw new LeaseLostException(jobId);
    }
    return new ArtifactOutputStream(jdbc, ownTransaction, id, jobId);
  }

  /**
   * Marks the file whole and {@code reportId}'s (the fact the API can settle the report from), in
   * the caller's transaction (the one completing the job); {@link LeaseLostException} if the sweep
   * has removed it (its attempt had lost the job).
   */
  void markStored(UUID id, long jobId, UUID reportId, long size, String sha256) {
    int updated =
        jdbc.sql(MARK_STORED)
            .param("id", id)
            .param("reportId", reportId)
            .param("size", size)
            .param("sha256", sha256)
            .update();
    if (updated == 0) {
      throw new LeaseLostException(jobId);
    }
  }

  /** Deletes the file if it is not stored, with its chunks, in a transaction of its own. */
  boolean deleteUnstored(UUID id) {
    Integer deleted =
        ownTransaction.execute(s -> jdbc.sql(DELETE_UNSTORED).param("id", id).update());
    return deleted != null && deleted > 0;
  }

  /**
   * Deletes up to {@code batch} unstored files whose attempt no longer holds its job, with their
   * chunks, in a transaction of its own; how many.
   */
  int sweepUnstored(int batch) {
    Integer deleted = ownTransaction.execute(s -> jdbc.sql(SWEEP).param("batch", batch).update());
    return deleted == null ? 0 : deleted;
  }
}
