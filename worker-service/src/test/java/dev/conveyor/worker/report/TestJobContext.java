package dev.conveyor.worker.report;

import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.JobState;
import dev.conveyor.queue.LeaseLostException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One attempt of a report job without a runtime behind it, over a real job row: a running job on a
 * queue nobody works ({@value #QUEUE}) holding this attempt's lease token, so the artifact writes
 * are fenced as in service. completeWithin commits through a real transaction and completes the row
 * (fenced, as the runtime does), progress is recorded, cancellation is as given. Call {@link
 * #endAll()} after each test: it ends the rows the handler left running, as the runtime would.
 */
final class TestJobContext implements JobContext {

  static final String QUEUE = "reports-test";
  private static final Queue<TestJobContext> OPEN = new ConcurrentLinkedQueue<>();

  final UUID token = UUID.randomUUID();
  final List<Integer> progress = new CopyOnWriteArrayList<>();
  volatile boolean completed;
  private final TransactionTemplate tx;
  private final JdbcClient jdbc;
  private final Job job;
  private volatile boolean cancelled;
  private volatile boolean leaseLost;

  TestJobContext(
      TransactionTemplate tx, UUID reportId, int attempt, int maxAttempts, boolean cancelled) {
    this(tx, null, reportId, attempt, maxAttempts, cancelled);
  }

  /**
   * The next attempt of the job {@code previous} ran (retried or rescued): the same job row claimed
   * again, with a new lease token and the next attempt number.
   */
  TestJobContext nextAttempt() {
    return new TestJobContext(
        tx, job.id(), reportIdOf(job.payload()), job.attempt() + 1, job.maxAttempts(), false);
  }

  private static UUID reportIdOf(String payload) {
    return UUID.fromString(payload.replaceAll(".*\"reportId\":\"([^\"]+)\".*", "$1"));
  }

  private TestJobContext(
      TransactionTemplate tx,
      @Nullable Long jobId,
      UUID reportId,
      int attempt,
      int maxAttempts,
      boolean cancelled) {
    this.tx = tx;
    DataSource dataSource =
        ((DataSourceTransactionManager) Objects.requireNonNull(tx.getTransactionManager()))
            .getDataSource();
    this.jdbc = JdbcClient.create(dataSource);
    Instant now = Instant.now();
    String payload = "{\"reportId\":\"" + reportId + "\"}";
    long id =
        jobId != null
            ? claimAgain(jobId, attempt)
            : jdbc.sql(
                    """
                INSERT INTO conveyor.queue_job (queue, kind, payload, state, attempt, max_attempts,
                                                lease_owner, lease_token, lease_expires_at,
                                                started_at)
                VALUES (:queue, :kind, CAST(:payload AS jsonb), 'running', :attempt, :max, 'test',
                        :token, now() + interval '1 hour', now())
                RETURNING id
                """)
                .param("queue", QUEUE)
                .param("kind", GenerateReportHandler.KIND)
                .param("payload", payload)
                .param("attempt", attempt)
                .param("max", maxAttempts)
                .param("token", token)
                .query(Long.class)
                .single();
    this.job =
        new Job(
            id,
            QUEUE,
            GenerateReportHandler.KIND,
            payload,
            0,
            JobState.RUNNING,
            now,
            attempt,
            maxAttempts,
            null,
            "test",
            token,
            now.plusSeconds(3600),
            0,
            "[]",
            cancelled,
            now,
            now,
            null,
            null,
            null);
    this.cancelled = cancelled;
    OPEN.add(this);
  }

  private long claimAgain(long jobId, int attempt) {
    jdbc.sql(
            """
            UPDATE conveyor.queue_job
            SET state = 'running', attempt = :attempt, lease_owner = 'test', lease_token = :token,
                lease_expires_at = now() + interval '1 hour', finalized_at = NULL
            WHERE id = :id
            """)
        .param("id", jobId)
        .param("attempt", attempt)
        .param("token", token)
        .update();
    return jobId;
  }

  /** From now on, as when a client cancels the running report: cancellation reads as requested. */
  TestJobContext requestCancellation() {
    cancelled = true;
    return this;
  }

  /** Ends (discards) the job rows of every context still running, as the runtime would. */
  static void endAll() {
    for (TestJobContext ctx; (ctx = OPEN.poll()) != null; ) {
      ctx.jdbc
          .sql(
              """
              UPDATE conveyor.queue_job
              SET state = 'discarded', lease_expires_at = NULL, finalized_at = now()
              WHERE id = :id AND state = 'running'
              """)
          .param("id", ctx.job.id())
          .update();
    }
  }

  @Override
  public Job job() {
    return job;
  }

  @Override
  public void progress(int percent) {
    progress.add(percent);
  }

  /**
   * From now on, as the runtime does once a heartbeat found the job rescued: the job row gets
   * another token (the next attempt's), cancellation reads as requested (so the handler stops) and
   * heartbeats fail.
   */
  TestJobContext loseLease() {
    jdbc.sql("UPDATE conveyor.queue_job SET lease_token = gen_random_uuid() WHERE id = :id")
        .param("id", job.id())
        .update();
    leaseLost = true;
    return this;
  }

  @Override
  public boolean isCancellationRequested() {
    return cancelled || leaseLost;
  }

  @Override
  public boolean heartbeat() {
    return !leaseLost;
  }

  @Override
  public void pauseQueueUntil(Instant until) {}

  @Override
  public <T> @Nullable T completeWithin(Supplier<T> work) {
    T result =
        tx.execute(
            status -> {
              T value = work.get();
              int done =
                  jdbc.sql(
                          """
                          UPDATE conveyor.queue_job
                          SET state = 'completed', lease_expires_at = NULL, finalized_at = now(),
                              progress = 100
                          WHERE id = :id AND state = 'running' AND lease_token = :token
                          """)
                      .param("id", job.id())
                      .param("token", token)
                      .update();
              if (done == 0) {
                throw new LeaseLostException(job.id());
              }
              return value;
            });
    completed = true;
    return result;
  }
}
