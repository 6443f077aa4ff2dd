package dev.conveyor.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.queue.jdbc.JobRepository;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The claim is server-prepared at its first execution on a connection (pgjdbc waits for the fifth
 * by default), so that rows come back in binary from the second; the batched completion never is
 * (planned at each execution, so that no plan made on a nearly empty table outlives a burst: see
 * {@code PlannerStatisticsTests}); a connection configured not to server-prepare ({@code
 * prepareThreshold=0}, as behind a transaction-mode PgBouncer) keeps its setting. Observed in the
 * session's own {@code pg_prepared_statements}.
 */
class ServerPrepareTests extends QueueTestBase {

  @BeforeEach
  void twoJobs() {
    queue.enqueueAll(List.of(JobRequest.of("prepare", "{}"), JobRequest.of("prepare", "{}")));
  }

  @Test
  void theClaimIsPreparedAtItsFirstExecutionAndTheCompletionNever() {
    SingleConnectionDataSource connection = connection("");
    try {
      JobRepository repository = new JobRepository(connection, null);
      List<Job> claimed =
          repository.claimAvailable("default", 1, "prepare-worker", Duration.ofMinutes(1));
      assertThat(claimed).hasSize(1);
      assertThat(prepared(connection, "claim_available")).isOne();

      Job job = claimed.getFirst();
      assertThat(repository.completeMany(new Long[] {job.id()}, new UUID[] {job.leaseToken()}))
          .containsExactly(job.id());
      for (int i = 0; i < 6; i++) { // past pgjdbc's default threshold too
        assertThat(repository.completeMany(new Long[] {job.id()}, new UUID[] {job.leaseToken()}))
            .isEmpty();
      }
      assertThat(prepared(connection, "complete_many")).isZero();

      // Other statements keep pgjdbc's threshold: an enqueue run once is not prepared.
      repository.enqueueOne(JobRequest.of("prepare", "{}"), false, 0);
      assertThat(prepared(connection, "enqueue_one")).isZero();
    } finally {
      connection.destroy();
    }
  }

  @Test
  void aConnectionThatDoesNotServerPrepareIsLeftSo() {
    SingleConnectionDataSource connection = connection("prepareThreshold=0");
    try {
      JobRepository repository = new JobRepository(connection, null);
      for (int i = 0; i < 2; i++) {
        List<Job> claimed =
            repository.claimAvailable("default", 1, "prepare-worker", Duration.ofMinutes(1));
        assertThat(claimed).hasSize(1);
        Job job = claimed.getFirst();
        assertThat(repository.completeMany(new Long[] {job.id()}, new UUID[] {job.leaseToken()}))
            .containsExactly(job.id());
      }
      assertThat(prepared(connection, "claim_available")).isZero();
      assertThat(prepared(connection, "complete_many")).isZero();
      assertThat(count("state = 'completed'")).isEqualTo(2);
    } finally {
      connection.destroy();
    }
  }

  /** One connection, kept open across statements, so its prepared statements can be listed. */
  private static SingleConnectionDataSource connection(String parameter) {
    String url = db.url();
    if (!parameter.isEmpty()) {
      url += (url.contains("?") ? "&" : "?") + parameter;
    }
    return new SingleConnectionDataSource(url, db.user(), db.password(), true);
  }

  /** Server-prepared statements of that connection whose SQL starts with the file's header. */
  private static int prepared(SingleConnectionDataSource connection, String file) {
    return JdbcClient.create(connection)
        .sql("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE ?")
        .param("-- " + file + ":%")
        .query(Integer.class)
        .single();
  }
}
