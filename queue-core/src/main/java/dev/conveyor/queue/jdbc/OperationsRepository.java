package dev.conveyor.queue.jdbc;

import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs the SQL of what operators see and do beside the queue's own mechanics: the worker runtime
 * registry, the per-minute throughput rollup, and the operator actions that {@link JobRepository}
 * has no statement for (delete a job, retry a queue's dead jobs in batches, run or pause a
 * schedule). One method per statement file. Nothing in claiming, leasing or completing jobs reads
 * what this class writes. Thread-safe.
 */
public final class OperationsRepository {

  private static final String REGISTER_RUNTIME = sql("register_runtime.sql");
  private static final String PRUNE_RUNTIMES = sql("prune_runtimes.sql");
  private static final String REMOVE_RUNTIME = sql("remove_runtime.sql");
  private static final String LOCK_THROUGHPUT_MARK = sql("lock_throughput_mark.sql");
  private static final String ROLL_UP_THROUGHPUT = sql("roll_up_throughput.sql");
  private static final String PRUNE_THROUGHPUT = sql("prune_throughput.sql");
  private static final String DELETE_JOB = sql("delete_job.sql");
  private static final String RETRY_DEAD_BATCH = sql("retry_dead_batch.sql");
  private static final String RUN_SCHEDULE_NOW = sql("run_schedule_now.sql");
  private static final String PAUSE_SCHEDULE = sql("pause_schedule.sql");

  /** Jobs finalized this recently may still be in uncommitted transactions: counted next time. */
  static final Duration ROLLUP_LAG = Duration.ofSeconds(5);

  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;
  private final @Nullable InstantSource clock;

  /**
   * @param dataSource the queue's database
   * @param clock the time compared against; {@code null} uses the database's {@code now()}
   */
  public OperationsRepository(DataSource dataSource, @Nullable InstantSource clock) {
    this.jdbc = JdbcClient.create(dataSource);
    this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    this.clock = clock;
  }

  /** Inserts or refreshes a runtime's row in {@code conveyor.worker_runtime}. */
  public void registerRuntime(
      String id,
      String host,
      Collection<String> queues,
      int slots,
      int slotsInUse,
      Duration heartbeatInterval) {
    jdbc.sql(REGISTER_RUNTIME)
        .param("id", id)
        .param("host", host)
        .param("queues", SqlArrays.of("text", queues.toArray()))
        .param("slots", slots)
        .param("slots_in_use", slotsInUse)
        .param("interval_ms", heartbeatInterval.toMillis())
        .update();
  }

  /** Deletes the rows of runtimes that missed ten heartbeats; how many. */
  public int pruneRuntimes() {
    return jdbc.sql(PRUNE_RUNTIMES).update();
  }

  /** Deletes a runtime's own row (a clean stop). */
  public void removeRuntime(String id) {
    jdbc.sql(REMOVE_RUNTIME).param("id", id).update();
  }

  /**
   * Adds the jobs finalized since the high-water mark (up to a few seconds ago) to the per-minute
   * rollup {@code conveyor.queue_throughput}, moves the mark, and drops minutes older than a day;
   * one transaction.
   *
   * @return the (queue, minute) rows added to or created
   */
  public int rollUpThroughput() {
    Integer minutes =
        transactions.execute(
            status -> {
              Map<String, Object> mark =
                  jdbc.sql(LOCK_THROUGHPUT_MARK)
                      .param("now", now())
                      .param("lag_ms", ROLLUP_LAG.toMillis())
                      .query()
                      .singleRow();
              Instant countedThrough = instant(mark.get("counted_through"));
              Instant upTo = instant(mark.get("up_to"));
              if (!upTo.isAfter(countedThrough)) {
                return 0;
              }
              Instant from = countedThrough;
              Instant hourBefore = upTo.minus(Duration.ofHours(1));
              if (from.isBefore(hourBefore)) {
                from = hourBefore;
              }
              long added =
                  jdbc.sql(ROLL_UP_THROUGHPUT)
                      .param("from", timestamp(from))
                      .param("up_to", timestamp(upTo))
                      .query(Long.class)
                      .single();
              jdbc.sql(PRUNE_THROUGHPUT).param("now", now()).update();
              return (int) added;
            });
    return Objects.requireNonNull(minutes);
  }

  /** Deletes a job that is not running; false when it is running or does not exist. */
  public boolean deleteJob(long id) {
    return !jdbc.sql(DELETE_JOB).param("id", id).query().listOfRows().isEmpty();
  }

  /**
   * One batch of {@link #retryDeadBatch}: how many were retried, and the highest id looked at
   * (empty when the queue has no dead job above {@code afterId}).
   */
  public record RetryBatch(int retried, OptionalLong lastId) {}

  /**
   * Makes up to {@code limit} dead jobs of {@code queue} with ids above {@code afterId} available
   * again now, in its own transaction (or the caller's).
   */
  public RetryBatch retryDeadBatch(String queue, long afterId, int limit) {
    Map<String, Object> row =
        jdbc.sql(RETRY_DEAD_BATCH)
            .param("queue", queue)
            .param("after_id", afterId)
            .param("limit", limit)
            .param("now", now())
            .query()
            .singleRow();
    Number last = (Number) row.get("last_id");
    return new RetryBatch(
        ((Number) Objects.requireNonNull(row.get("retried"))).intValue(),
        last == null ? OptionalLong.empty() : OptionalLong.of(last.longValue()));
  }

  /** Enqueues a schedule's job now; the new job's id, empty when there is no such schedule. */
  public OptionalLong runScheduleNow(String name) {
    return jdbc.sql(RUN_SCHEDULE_NOW).param("name", name).query(Long.class).optional().stream()
        .mapToLong(Long::longValue)
        .findFirst();
  }

  /** Pauses or resumes a schedule; false when there is no such schedule. */
  public boolean pauseSchedule(String name, boolean paused) {
    return !jdbc.sql(PAUSE_SCHEDULE)
        .param("name", name)
        .param("paused", paused)
        .query()
        .listOfRows()
        .isEmpty();
  }

  private SqlParameterValue now() {
    return timestamp(clock == null ? null : clock.instant());
  }

  private static SqlParameterValue timestamp(@Nullable Instant instant) {
    return new SqlParameterValue(
        Types.TIMESTAMP_WITH_TIMEZONE,
        instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
  }

  private static Instant instant(@Nullable Object value) {
    if (value instanceof OffsetDateTime odt) {
      return odt.toInstant();
    }
    if (value instanceof java.sql.Timestamp ts) {
      return ts.toInstant();
    }
    throw new IllegalStateException("not a timestamp: " + value);
  }

  private static String sql(String name) {
    return SqlFiles.load(OperationsRepository.class, name);
  }
}
