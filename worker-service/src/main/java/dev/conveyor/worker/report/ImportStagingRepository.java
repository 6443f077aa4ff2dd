package dev.conveyor.worker.report;

import dev.conveyor.contract.SqlFiles;
import dev.conveyor.queue.LeaseLostException;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The life of voterImport's staging rows ({@code import_staging}, keyed by the importing job): the
 * fence every import transaction starts with, the bounded deletes, and what the sweep needs to find
 * the rows of jobs that will not run again. Each method runs in the caller's transaction (or on its
 * own when there is none).
 */
@Repository
class ImportStagingRepository {

  private static final String LOCK_ATTEMPT =
      SqlFiles.load(ImportStagingRepository.class, "lock_import_attempt.sql");
  private static final String DELETE =
      SqlFiles.load(ImportStagingRepository.class, "delete_import_staging.sql");
  private static final String FIND_ENDED =
      SqlFiles.load(ImportStagingRepository.class, "find_ended_import_jobs.sql");
  private static final String END_ABANDONED =
      SqlFiles.load(ImportStagingRepository.class, "end_abandoned_registry_import.sql");
  private static final String ANALYZE =
      SqlFiles.load(ImportStagingRepository.class, "analyze_import_staging.sql");

  private final JdbcClient jdbc;

  ImportStagingRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** A job with staging rows that will not run again; {@code state} null: the row is gone. */
  record EndedJob(long jobId, @Nullable String state) {}

  /**
   * Fences the caller's transaction on the attempt: holds the job row (FOR SHARE) while the attempt
   * still owns it, else throws {@link LeaseLostException}. Call first in the transaction.
   */
  void lockAttempt(long jobId, UUID token) {
    boolean held =
        jdbc.sql(LOCK_ATTEMPT)
            .param("jobId", jobId)
            .param("token", token)
            .query(Integer.class)
            .optional()
            .isPresent();
    if (!held) {
      throw new LeaseLostException(jobId);
    }
  }

  /**
   * Refreshes the planner's statistics of the staging table, once an import has staged its records
   * and before its slices run (see analyze_import_staging.sql for the plan it prevents). Its own
   * statement, outside any transaction; bounded by ANALYZE's sample, whatever the import's size.
   */
  void analyze() {
    jdbc.sql(ANALYZE).update();
  }

  /** Deletes up to {@code limit} staging rows of the job, first lines first; how many. */
  int delete(long jobId, int limit) {
    return jdbc.sql(DELETE).param("jobId", jobId).param("limit", limit).update();
  }

  /** Up to {@code limit} jobs with staging rows that will not run again, lowest id first. */
  List<EndedJob> findEndedJobs(int limit) {
    return jdbc.sql(FIND_ENDED)
        .param("limit", limit)
        .query((rs, row) -> new EndedJob(rs.getLong("job_id"), rs.getString("state")))
        .list();
  }

  /** Ends the job's import on its audit row if it still says running; whether it did. */
  boolean endAbandonedImport(EndedJob job) {
    return jdbc.sql(END_ABANDONED)
            .param("jobId", job.jobId())
            .param("jobState", job.state())
            .update()
        > 0;
  }
}
