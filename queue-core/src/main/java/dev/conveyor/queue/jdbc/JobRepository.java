package dev.conveyor.queue.jdbc;

import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobError;
import dev.conveyor.queue.JobRequest;
import dev.conveyor.queue.JobState;
import dev.conveyor.queue.QueueControl;
import dev.conveyor.queue.QueueControl.QueueLimits;
import dev.conveyor.queue.QueueCount;
import dev.conveyor.queue.Schedule;
import dev.conveyor.queue.ScheduleStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGStatement;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs the queue's SQL; one method per statement file. Joins the caller's Spring-managed
 * transaction when there is one (the {@code JdbcClient} takes its connection through {@code
 * DataSourceUtils}); otherwise each call commits on its own.
 *
 * <p>Every write after the claim is fenced on {@code state = 'running' AND lease_token = :token}:
 * it changes nothing for an attempt that lost its lease. Thread-safe.
 */
public final class JobRepository {

  private static final String ENQUEUE_ONE = sql("enqueue_one.sql");
  private static final String ENQUEUE_MANY = sql("enqueue_many.sql");
  private static final String FIND_UNFINISHED_BY_KEYS = sql("find_unfinished_by_keys.sql");
  private static final String CLAIM_AVAILABLE = sql("claim_available.sql");
  private static final String COMPLETE_MANY = sql("complete_many.sql");
  private static final String RECORD_FAILURE = sql("record_failure.sql");
  private static final String RECORD_SNOOZE = sql("record_snooze.sql");
  private static final String RECORD_CANCELLED = sql("record_cancelled.sql");
  private static final String RELEASE_MANY = sql("release_many.sql");
  private static final String EXTEND_LEASES = sql("extend_leases.sql");
  private static final String UPDATE_PROGRESS = sql("update_progress.sql");
  private static final String RESCUE_EXPIRED = sql("rescue_expired.sql");
  private static final String PRUNE_FINISHED = sql("prune_finished.sql");
  private static final String STATISTICS_STALE = sql("statistics_stale.sql");
  private static final String FIND_BY_ID = sql("find_by_id.sql");
  private static final String FIND_BY_UNIQUE_KEY = sql("find_by_unique_key.sql");
  private static final String CANCEL = sql("cancel.sql");
  private static final String RETRY_FINISHED = sql("retry_finished.sql");
  private static final String COUNT_BY_QUEUE_AND_STATE = sql("count_by_queue_and_state.sql");
  private static final String COUNT_AVAILABLE = sql("count_available.sql");
  private static final String ESTIMATE_AVAILABLE = sql("estimate_available.sql");
  private static final String CLAIM_DEPTH_SAMPLE = sql("claim_depth_sample.sql");
  private static final String STORE_QUEUE_DEPTH = sql("store_queue_depth.sql");
  private static final String FIND_QUEUE_DEPTH = sql("find_queue_depth.sql");
  private static final String COUNT_AHEAD = sql("count_ahead.sql");
  private static final String LIST_BY_STATE = sql("list_by_state.sql");
  private static final String FIND_ERRORS = sql("find_errors.sql");
  private static final String SCHEMA_VERSION = sql("schema_version.sql");
  private static final String LOCK_CONTROL = sql("lock_control.sql");
  private static final String CLAIM_LIMITED = sql("claim_limited.sql");
  private static final String SET_LIMITS = sql("set_limits.sql");
  private static final String PAUSE_QUEUE = sql("pause_queue.sql");
  private static final String RESUME_QUEUE = sql("resume_queue.sql");
  private static final String FIND_CONTROLS = sql("find_controls.sql");
  private static final String UPSERT_SCHEDULE = sql("upsert_schedule.sql");
  private static final String LOCK_DUE_SCHEDULES = sql("lock_due_schedules.sql");
  private static final String ADVANCE_SCHEDULE = sql("advance_schedule.sql");
  private static final String FIND_SCHEDULES = sql("find_schedules.sql");
  private static final String NOTIFY_QUEUES = sql("notify_queues.sql");

  /** Candidates a limited claim looks at, at least; per-key limits may skip many of them. */
  private static final int MIN_LIMITED_SCAN = 1000;

  /** The top plan node's row estimate in {@code EXPLAIN (FORMAT JSON)} output. */
  private static final Pattern PLAN_ROWS = Pattern.compile("\"Plan Rows\"\\s*:\\s*([0-9.eE+]+)");

  private static final RowMapper<Job> JOB = JobRepository::mapJob;
  private static final ResultSetExtractor<List<Job>> JOBS = JobRepository::mapJobs;

  private final JdbcClient jdbc;

  /**
   * For the claims, which a busy worker runs per round trip: pgjdbc server-prepares them at their
   * first execution rather than their fifth, so from the second execution on a connection the rows
   * come back in binary (timestamps, uuids and numbers read without parsing text), and a fresh
   * worker's first claims do not make the JIT compile pgjdbc's text timestamp parser for the few
   * hundred rows before that. A connection that disables server-side prepares ({@code
   * prepareThreshold=0}, as behind a transaction-mode PgBouncer) is left as it is.
   */
  private final JdbcClient hot;

  /**
   * For the batched writes that look each of their rows up by key (complete_many, extend_leases,
   * release_many): never server-prepared, so PostgreSQL plans them at every execution for the
   * table's size then. A prepared statement's cached generic plan is kept until the table's
   * statistics change; made while the table had a page or two, a batched write's plan looks each id
   * up with a scan of the whole table (a nested loop: ids x rows), and after a burst of jobs into a
   * quiet queue one completion of 500 jobs took 1.5 s until the next ANALYZE (docs/benchmarks.md,
   * session 16). Planned each time, the look-ups are by key once the table has more than a few
   * pages; the planning costs about 0.1-0.4 ms per statement (one per batch, not per job).
   */
  private final JdbcClient planned;

  private final TransactionTemplate transactions;
  private final @Nullable InstantSource clock;

  /**
   * @param dataSource the queue's database
   * @param clock the time the queue's SQL compares against; {@code null} (production) uses the
   *     database's {@code now()}, the one clock every worker shares; tests pass a controlled one
   */
  public JobRepository(DataSource dataSource, @Nullable InstantSource clock) {
    this.jdbc = JdbcClient.create(dataSource);
    this.hot =
        JdbcClient.create(new PrepareThreshold(dataSource, threshold -> Math.min(threshold, 1)));
    this.planned = JdbcClient.create(new PrepareThreshold(dataSource, threshold -> 0));
    this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    this.clock = clock;
  }

  /** A job as inserted, and the available jobs of its queue ahead of it if they were counted. */
  public record InsertedJob(Job job, OptionalLong ahead) {}

  /**
   * Inserts one request; empty when an unfinished job holds its unique key. With {@code maxAhead >
   * 0} the same statement also counts (at most {@code maxAhead}) the available jobs of the queue a
   * claim takes before the new one: {@link #countAhead} without a second round trip.
   */
  public Optional<InsertedJob> enqueueOne(JobRequest request, boolean notify, long maxAhead) {
    return jdbc.sql(bound(ENQUEUE_ONE, maxAhead))
        .param("notify", notify)
        .param("queue", request.queue())
        .param("kind", request.kind())
        .param("payload", request.payload())
        .param("priority", request.priority())
        .param("run_at", timestamp(request.runAt()))
        .param("max_attempts", request.maxAttempts())
        .param("unique_key", new SqlParameterValue(Types.VARCHAR, request.uniqueKey()))
        .param("partition_key", new SqlParameterValue(Types.VARCHAR, request.partitionKey()))
        .param("trace_context", new SqlParameterValue(Types.VARCHAR, request.traceContext()))
        .query(
            (rs, row) -> {
              long ahead = rs.getLong("ahead");
              OptionalLong counted = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(ahead);
              return new InsertedJob(mapJob(rs, row), counted);
            })
        .optional();
  }

  /**
   * Inserts the requests as one statement; returns the inserted rows ordered by id. With {@code
   * notify}, the statement also sends the wake-up NOTIFY (delivered at commit).
   */
  public List<Job> enqueueMany(List<JobRequest> requests, boolean notify) {
    int n = requests.size();
    String[] queues = new String[n];
    String[] kinds = new String[n];
    String[] payloads = new String[n];
    Integer[] priorities = new Integer[n];
    String[] runAts = new String[n];
    Integer[] maxAttempts = new Integer[n];
    String[] uniqueKeys = new String[n];
    String[] partitionKeys = new String[n];
    String[] traceContexts = new String[n];
    for (int i = 0; i < n; i++) {
      JobRequest r = requests.get(i);
      queues[i] = r.queue();
      kinds[i] = r.kind();
      payloads[i] = r.payload();
      priorities[i] = r.priority();
      runAts[i] = r.runAt() == null ? null : r.runAt().toString();
      maxAttempts[i] = r.maxAttempts();
      uniqueKeys[i] = r.uniqueKey();
      partitionKeys[i] = r.partitionKey();
      traceContexts[i] = r.traceContext();
    }
    return jdbc.sql(ENQUEUE_MANY)
        .param("queues", SqlArrays.of("text", queues))
        .param("kinds", SqlArrays.of("text", kinds))
        .param("payloads", SqlArrays.of("text", payloads))
        .param("priorities", SqlArrays.of("int4", priorities))
        .param("run_ats", SqlArrays.of("text", runAts))
        .param("max_attempts", SqlArrays.of("int4", maxAttempts))
        .param("unique_keys", SqlArrays.of("text", uniqueKeys))
        .param("partition_keys", SqlArrays.of("text", partitionKeys))
        .param("trace_contexts", SqlArrays.of("text", traceContexts))
        .param("notify", notify)
        .query(JOBS);
  }

  /** Sends the wake-up NOTIFY for each queue (at once when called outside a transaction). */
  public void notifyQueues(Collection<String> queues) {
    jdbc.sql(NOTIFY_QUEUES)
        .param("queues", SqlArrays.of("text", queues.toArray(String[]::new)))
        .query(Long.class)
        .single();
  }

  /** The unfinished jobs holding any of {@code keys}. */
  public List<Job> findUnfinishedByKeys(Collection<String> keys) {
    return jdbc.sql(FIND_UNFINISHED_BY_KEYS)
        .param("keys", SqlArrays.of("text", keys.toArray(String[]::new)))
        .query(JOBS);
  }

  /** Claims up to {@code demand} runnable jobs of {@code queue} for {@code owner}. */
  public List<Job> claimAvailable(String queue, int demand, String owner, Duration lease) {
    return hot.sql(CLAIM_AVAILABLE)
        .param("queue", queue)
        .param("demand", demand)
        .param("owner", owner)
        .param("lease_ms", lease.toMillis())
        .param("now", now())
        .query(JOBS);
  }

  /**
   * Claims from a queue that has a control row: in one transaction, lock that row (claims of the
   * queue run one at a time cluster-wide), then claim within its limits; nothing while paused.
   */
  public List<Job> claimLimited(String queue, int demand, String owner, Duration lease) {
    List<Job> claimed =
        transactions.execute(
            status -> {
              Optional<QueueControl> control =
                  jdbc.sql(LOCK_CONTROL)
                      .param("queue", queue)
                      .param("now", now())
                      .query(JobRepository::mapControl)
                      .optional();
              if (control.isEmpty() || !control.get().limited()) {
                return claimAvailable(queue, demand, owner, lease);
              }
              if (control.get().paused()) {
                return List.<Job>of();
              }
              QueueLimits limits = control.get().limits();
              return hot.sql(CLAIM_LIMITED)
                  .param("queue", queue)
                  .param("demand", demand)
                  .param("scan", limitedScan(limits, demand))
                  .param("owner", owner)
                  .param("lease_ms", lease.toMillis())
                  .param("max_running", integer(limits.maxRunning()))
                  .param("max_per_key", integer(limits.maxRunningPerKey()))
                  .param("rate_limit", integer(limits.rateLimit()))
                  .param("rate_period_ms", millis(limits.ratePeriod()))
                  .param("now", now())
                  .query(JOBS);
            });
    return claimed == null ? List.of() : claimed;
  }

  /**
   * How many candidates a limited claim reads. Without a per-key limit every candidate is eligible,
   * so the demand is enough; with one, it looks further so that keys at their cap at the head of
   * the queue do not hide the jobs of other keys behind them.
   */
  private static int limitedScan(QueueLimits limits, int demand) {
    return limits.maxRunningPerKey() == null ? demand : Math.max(MIN_LIMITED_SCAN, demand * 10);
  }

  /** Sets a queue's limits, keeping its pause; tells every worker. */
  public void setLimits(String queue, QueueLimits limits) {
    jdbc.sql(SET_LIMITS)
        .param("queue", queue)
        .param("max_running", integer(limits.maxRunning()))
        .param("max_per_key", integer(limits.maxRunningPerKey()))
        .param("rate_limit", integer(limits.rateLimit()))
        .param("rate_period_ms", millis(limits.ratePeriod()))
        .query()
        .listOfRows();
  }

  /** Pauses a queue until {@code until}, or until resumed when {@code null}. */
  public void pauseQueue(String queue, @Nullable Instant until) {
    jdbc.sql(PAUSE_QUEUE).param("queue", queue).param("until", timestamp(until)).update();
  }

  /** Lifts a queue's pause and wakes its workers; false if it had no control row. */
  public boolean resumeQueue(String queue) {
    return !jdbc.sql(RESUME_QUEUE).param("queue", queue).query().listOfRows().isEmpty();
  }

  /** Every queue's pause and limits. */
  public List<QueueControl> findControls() {
    return jdbc.sql(FIND_CONTROLS).query(JobRepository::mapControl).list();
  }

  /** Registers a schedule; keeps its stored next occurrence unless its cron or zone changed. */
  public void upsertSchedule(Schedule schedule, Instant nextRunAt) {
    JobRequest job = schedule.job();
    jdbc.sql(UPSERT_SCHEDULE)
        .param("name", schedule.name())
        .param("cron", schedule.cron())
        .param("time_zone", schedule.zone().getId())
        .param("kind", job.kind())
        .param("payload", job.payload())
        .param("queue", job.queue())
        .param("priority", job.priority())
        .param("max_attempts", job.maxAttempts())
        .param("missed_policy", schedule.missedPolicy().dbValue())
        .param("next_run_at", timestamp(nextRunAt))
        .update();
  }

  /** A due schedule, locked by the caller's transaction. */
  public record DueSchedule(String name, Instant nextRunAt, Instant databaseNow) {}

  /** Locks the due schedules among {@code names}; must run inside a transaction. */
  public List<DueSchedule> lockDueSchedules(Collection<String> names) {
    return jdbc.sql(LOCK_DUE_SCHEDULES)
        .param("names", SqlArrays.of("text", names.toArray(String[]::new)))
        .param("now", now())
        .query(
            (rs, i) ->
                new DueSchedule(
                    rs.getString("name"), instant(rs, "next_run_at"), instant(rs, "db_now")))
        .list();
  }

  /** Moves a locked schedule on; {@code lastRunAt} and {@code lastJobId} null keep the old. */
  public void advanceSchedule(
      String name, Instant nextRunAt, @Nullable Instant lastRunAt, @Nullable Long lastJobId) {
    jdbc.sql(ADVANCE_SCHEDULE)
        .param("name", name)
        .param("next_run_at", timestamp(nextRunAt))
        .param("last_run_at", timestamp(lastRunAt))
        .param("last_job_id", new SqlParameterValue(Types.BIGINT, lastJobId))
        .update();
  }

  public List<ScheduleStatus> findSchedules() {
    return jdbc.sql(FIND_SCHEDULES)
        .query(
            (rs, i) -> {
              long lastJob = rs.getLong("last_job_id");
              Long lastJobId = rs.wasNull() ? null : lastJob;
              String lastState = rs.getString("last_state");
              return new ScheduleStatus(
                  rs.getString("name"),
                  rs.getString("cron"),
                  rs.getString("time_zone"),
                  rs.getString("kind"),
                  rs.getString("queue"),
                  rs.getString("missed_policy"),
                  instant(rs, "next_run_at"),
                  nullableInstant(rs, "last_run_at"),
                  lastJobId,
                  lastState == null ? null : JobState.fromDb(lastState));
            })
        .list();
  }

  /** Completes the given attempts; returns the ids whose fence held. */
  public Set<Long> completeMany(Long[] ids, UUID[] tokens) {
    Attempts attempts = Attempts.of(ids, tokens);
    return new HashSet<>(
        planned
            .sql(COMPLETE_MANY)
            .param("ids", SqlArrays.of("int8", attempts.ids()))
            .param("token_at", SqlArrays.of("int4", attempts.tokenAt()))
            .param("tokens", SqlArrays.of("uuid", attempts.tokens()))
            .param("now", now())
            .query((rs, i) -> rs.getLong(1))
            .list());
  }

  /**
   * Records a failed attempt: retry after {@code delay}, or discard when {@code permanent} or out
   * of attempts (cancelled if cancellation was requested). Empty if the fence refused it.
   */
  public Optional<JobState> recordFailure(
      long id, UUID token, boolean permanent, Duration delay, String error, String errorClass) {
    return jdbc.sql(RECORD_FAILURE)
        .param("id", id)
        .param("token", token)
        .param("permanent", permanent)
        .param("delay_ms", delay.toMillis())
        .param("error", error)
        .param("error_class", errorClass)
        .param("now", now())
        .query((rs, i) -> JobState.fromDb(rs.getString(1)))
        .optional();
  }

  /** Reschedules after {@code delay} without spending the attempt. Empty if fenced off. */
  public Optional<JobState> recordSnooze(long id, UUID token, Duration delay) {
    return jdbc.sql(RECORD_SNOOZE)
        .param("id", id)
        .param("token", token)
        .param("delay_ms", delay.toMillis())
        .param("now", now())
        .query((rs, i) -> JobState.fromDb(rs.getString(1)))
        .optional();
  }

  /** Ends the attempt cancelled; false if fenced off. */
  public boolean recordCancelled(long id, UUID token) {
    return jdbc.sql(RECORD_CANCELLED)
        .param("id", id)
        .param("token", token)
        .param("now", now())
        .query((rs, i) -> rs.getString(1))
        .optional()
        .isPresent();
  }

  /**
   * Hands running attempts back as available now (cancelled, if that was requested); returns the
   * ids released.
   */
  public List<Long> releaseMany(Long[] ids, UUID[] tokens) {
    Attempts sorted = Attempts.byId(ids, tokens);
    return planned
        .sql(RELEASE_MANY)
        .param("ids", SqlArrays.of("int8", sorted.ids()))
        .param("token_at", SqlArrays.of("int4", sorted.tokenAt()))
        .param("tokens", SqlArrays.of("uuid", sorted.tokens()))
        .param("now", now())
        .query((rs, i) -> rs.getLong(1))
        .list();
  }

  /**
   * Extends the leases of the given attempts by {@code lease}; returns, for each attempt still
   * held, whether its cancellation was requested. Missing ids lost their lease.
   */
  public Map<Long, Boolean> extendLeases(Long[] ids, UUID[] tokens, Duration lease) {
    Map<Long, Boolean> held = new HashMap<>();
    Attempts sorted = Attempts.byId(ids, tokens);
    planned
        .sql(EXTEND_LEASES)
        .param("ids", SqlArrays.of("int8", sorted.ids()))
        .param("token_at", SqlArrays.of("int4", sorted.tokenAt()))
        .param("tokens", SqlArrays.of("uuid", sorted.tokens()))
        .param("lease_ms", lease.toMillis())
        .param("now", now())
        .query(
            rs -> {
              held.put(rs.getLong(1), rs.getBoolean(2));
            });
    return held;
  }

  /**
   * Attempts as a batched write binds them. The lease tokens go once each: {@code tokens} holds the
   * distinct ones and {@code tokenAt[i]} the (1-based) position of the token of {@code ids[i]}. A
   * claim draws one token for all the jobs it takes, so a batch of a thousand attempts carries a
   * handful of tokens, and both number arrays go in pgjdbc's binary format (a uuid[] goes as text:
   * a UUID formatted and parsed again per job).
   */
  private record Attempts(long[] ids, int[] tokenAt, UUID[] tokens) {

    /** In the given order: for complete_many, whose only row locks are its UPDATE's. */
    static Attempts of(Long[] ids, UUID[] tokens) {
      long[] keys = new long[ids.length];
      int[] tokenAt = new int[ids.length];
      // In first-seen order: a token's position is its place among the keys.
      Map<UUID, Integer> positions = new LinkedHashMap<>();
      for (int i = 0; i < ids.length; i++) {
        keys[i] = ids[i];
        tokenAt[i] = positions.computeIfAbsent(tokens[i], token -> positions.size() + 1);
      }
      return new Attempts(keys, tokenAt, positions.keySet().toArray(UUID[]::new));
    }

    /**
     * Sorted by id: for the writes that lock their rows in a CTE walking the array, so that each
     * locks in one order (see extend_leases.sql).
     */
    static Attempts byId(Long[] ids, UUID[] tokens) {
      Integer[] order = new Integer[ids.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Long.compare(ids[a], ids[b]));
      Long[] sortedIds = new Long[ids.length];
      UUID[] sortedTokens = new UUID[ids.length];
      for (int i = 0; i < order.length; i++) {
        sortedIds[i] = ids[order[i]];
        sortedTokens[i] = tokens[order[i]];
      }
      return of(sortedIds, sortedTokens);
    }
  }

  /**
   * A {@link JdbcTemplate} that sets pgjdbc's prepare threshold on each of its statements from the
   * connection's (any driver but pgjdbc is left as it is).
   */
  private static final class PrepareThreshold extends JdbcTemplate {
    private final IntUnaryOperator threshold;

    PrepareThreshold(DataSource dataSource, IntUnaryOperator threshold) {
      super(dataSource);
      this.threshold = threshold;
    }

    @Override
    protected void applyStatementSettings(Statement statement) throws SQLException {
      super.applyStatementSettings(statement);
      if (statement.isWrapperFor(PGStatement.class)) {
        PGStatement pg = statement.unwrap(PGStatement.class);
        pg.setPrepareThreshold(threshold.applyAsInt(pg.getPrepareThreshold()));
      }
    }
  }

  /** Persists progress; false if fenced off. */
  public boolean updateProgress(long id, UUID token, int progress) {
    return jdbc.sql(UPDATE_PROGRESS)
            .param("id", id)
            .param("token", token)
            .param("progress", progress)
            .update()
        == 1;
  }

  /** A job the rescuer took back from an expired lease. */
  public record Rescued(long id, String queue, String kind, JobState state, int attempt) {}

  /** Rescues at most {@code limit} jobs whose lease expired. */
  public List<Rescued> rescueExpired(int limit) {
    return jdbc.sql(RESCUE_EXPIRED)
        .param("limit", limit)
        .param("now", now())
        .query(
            (rs, i) ->
                new Rescued(
                    rs.getLong("id"),
                    rs.getString("queue"),
                    rs.getString("kind"),
                    JobState.fromDb(rs.getString("state")),
                    rs.getInt("attempt")))
        .list();
  }

  /** Deletes at most {@code limit} finished jobs past retention; returns how many. */
  public int pruneFinished(Instant completedBefore, Instant failedBefore, int limit) {
    return jdbc.sql(PRUNE_FINISHED)
        .param("completed_before", timestamp(completedBefore))
        .param("failed_before", timestamp(failedBefore))
        .param("limit", limit)
        .update();
  }

  /**
   * Whether {@code conveyor.queue_job} has at least {@code minPages} pages and more than {@code
   * growth} times as many as when its statistics were last taken, and this role may ANALYZE it
   * (statistics_stale.sql).
   */
  public boolean queueStatisticsStale(long minPages, int growth) {
    return Boolean.TRUE.equals(
        jdbc.sql(STATISTICS_STALE)
            .param("min_pages", minPages)
            .param("growth", growth)
            .query(Boolean.class)
            .optional()
            .orElse(false));
  }

  /**
   * ANALYZEs {@code conveyor.queue_job}, which also makes every session plan its statements on the
   * table again. Gives up (false) rather than wait more than {@code lockTimeout} for the table's
   * lock: held by a VACUUM (autovacuum would be cancelled for a waiting ANALYZE after {@code
   * deadlock_timeout}), another ANALYZE or DDL.
   */
  public boolean analyzeQueueTable(Duration lockTimeout) {
    try {
      transactions.executeWithoutResult(
          status -> {
            jdbc.sql("SELECT set_config('lock_timeout', :timeout, true)")
                .param("timeout", lockTimeout.toMillis() + "ms")
                .query(String.class)
                .single();
            jdbc.sql("ANALYZE conveyor.queue_job").update();
          });
      return true;
    } catch (DataAccessException e) {
      if (e.getMostSpecificCause() instanceof SQLException sql
          && "55P03".equals(sql.getSQLState())) { // lock_not_available
        return false;
      }
      throw e;
    }
  }

  public Optional<Job> findById(long id) {
    return jdbc.sql(FIND_BY_ID).param("id", id).query(JOB).optional();
  }

  /** The latest job that used {@code key}, finished or not. */
  public Optional<Job> findByUniqueKey(String key) {
    return jdbc.sql(FIND_BY_UNIQUE_KEY).param("key", key).query(JOB).optional();
  }

  /**
   * Cancels an available job or flags a running one; returns the state after the change, or empty
   * if the job is missing or already finished.
   */
  public Optional<JobState> cancel(long id) {
    return jdbc.sql(CANCEL)
        .param("id", id)
        .param("now", now())
        .query((rs, i) -> JobState.fromDb(rs.getString("state")))
        .optional();
  }

  /**
   * Makes a discarded or cancelled job available again; empty if it is in another state. Throws
   * {@link org.springframework.dao.DuplicateKeyException} when another unfinished job holds its
   * unique key.
   */
  public Optional<Job> retryFinished(long id) {
    return jdbc.sql(RETRY_FINISHED).param("id", id).param("now", now()).query(JOB).optional();
  }

  public List<QueueCount> countByQueueAndState() {
    return jdbc.sql(COUNT_BY_QUEUE_AND_STATE)
        .query(
            (rs, i) ->
                new QueueCount(
                    rs.getString("queue"),
                    JobState.fromDb(rs.getString("state")),
                    rs.getLong("jobs")))
        .list();
  }

  /**
   * Per queue: jobs runnable now, and the age of the oldest of them.
   *
   * @param estimated whether {@code jobs} is the planner's estimate (the queue had more than the
   *     exact limit) rather than a count
   */
  public record QueueDepth(String queue, long jobs, boolean estimated, double oldestSeconds) {}

  /**
   * The depth as one call saw it.
   *
   * @param sampledHere whether this call counted it (it claimed the period) rather than read what
   *     another process stored
   * @param depths the queues with runnable jobs
   */
  public record DepthSample(boolean sampledHere, List<QueueDepth> depths) {}

  /**
   * Samples the queue depth for the cluster if this period's sample is due and no other process is
   * taking it (claim_depth_sample.sql), storing the numbers for every process; otherwise reads the
   * stored sample. One transaction.
   *
   * @param sampler who samples, recorded with the sample (at most 256 characters are kept)
   * @param due how old the stored sample must be to be taken again
   * @param exactLimit the most jobs per queue counted exactly (see {@link #countAvailable})
   */
  public DepthSample sampleQueueDepth(String sampler, Duration due, int exactLimit) {
    DepthSample sample =
        transactions.execute(
            status -> {
              boolean claimed =
                  jdbc.sql(CLAIM_DEPTH_SAMPLE)
                          .param(
                              "sampler",
                              sampler.length() > 256 ? sampler.substring(0, 256) : sampler)
                          .param("due_ms", due.toMillis())
                          .param("now", now())
                          .query()
                          .listOfRows()
                          .size()
                      == 1;
              if (!claimed) {
                return new DepthSample(false, findQueueDepth());
              }
              List<QueueDepth> depths = countAvailable(exactLimit);
              storeQueueDepth(depths);
              return new DepthSample(true, depths);
            });
    return Objects.requireNonNull(sample);
  }

  /**
   * Counts the jobs runnable now per queue, exactly up to {@code exactLimit} per queue; a queue
   * with more gets the planner's estimate (estimate_available.sql), at least {@code exactLimit +
   * 1}, marked {@code estimated}. The work is bounded by the limit, not by the backlog.
   */
  public List<QueueDepth> countAvailable(int exactLimit) {
    if (exactLimit < 1 || exactLimit == Integer.MAX_VALUE) {
      throw new IllegalArgumentException("exactLimit must be positive and below Integer.MAX_VALUE");
    }
    List<QueueDepth> counted =
        jdbc.sql(COUNT_AVAILABLE.replace("{{count_limit}}", Integer.toString(exactLimit + 1)))
            .param("now", now())
            .query(
                (rs, i) ->
                    new QueueDepth(
                        rs.getString("queue"),
                        rs.getLong("jobs"),
                        false,
                        rs.getDouble("oldest_seconds")))
            .list();
    List<QueueDepth> depths = new ArrayList<>(counted.size());
    for (QueueDepth depth : counted) {
      depths.add(
          depth.jobs() <= exactLimit
              ? depth
              : new QueueDepth(
                  depth.queue(),
                  Math.max(exactLimit + 1L, estimateAvailable(depth.queue())),
                  true,
                  depth.oldestSeconds()));
    }
    return depths;
  }

  /** The planner's estimate of a queue's jobs runnable now; see estimate_available.sql. */
  public long estimateAvailable(String queue) {
    String plan =
        jdbc.sql(ESTIMATE_AVAILABLE)
            .param("queue", queue)
            .param("now", now())
            .query(String.class)
            .single();
    Matcher rows = PLAN_ROWS.matcher(plan);
    if (!rows.find()) {
      throw new IllegalStateException("no row estimate in the plan: " + plan);
    }
    return Math.round(Double.parseDouble(rows.group(1)));
  }

  private void storeQueueDepth(List<QueueDepth> depths) {
    int n = depths.size();
    String[] queues = new String[n];
    Long[] jobs = new Long[n];
    Boolean[] estimated = new Boolean[n];
    Double[] oldest = new Double[n];
    for (int i = 0; i < n; i++) {
      QueueDepth d = depths.get(i);
      queues[i] = d.queue();
      jobs[i] = d.jobs();
      estimated[i] = d.estimated();
      oldest[i] = Math.max(0, d.oldestSeconds());
    }
    jdbc.sql(STORE_QUEUE_DEPTH)
        .param("queues", SqlArrays.of("text", queues))
        .param("jobs", SqlArrays.of("int8", jobs))
        .param("estimated", SqlArrays.of("bool", estimated))
        .param("oldest_seconds", SqlArrays.of("float8", oldest))
        .update();
  }

  /** The depth the last sampler stored. */
  public List<QueueDepth> findQueueDepth() {
    return jdbc.sql(FIND_QUEUE_DEPTH)
        .query(
            (rs, i) ->
                new QueueDepth(
                    rs.getString("queue"),
                    rs.getLong("jobs"),
                    rs.getBoolean("estimated"),
                    rs.getDouble("oldest_seconds")))
        .list();
  }

  /** Jobs a claim would take before this one; empty unless the job is available. */
  public OptionalLong countAhead(long id, long maxCount) {
    return jdbc.sql(bound(COUNT_AHEAD, maxCount))
        .param("id", id)
        .query((rs, i) -> rs.getLong(1))
        .optional()
        .map(OptionalLong::of)
        .orElse(OptionalLong.empty());
  }

  /** One page of jobs in {@code state}, newest first, with ids below {@code beforeId}. */
  public List<Job> listByState(JobState state, @Nullable String queue, long beforeId, int limit) {
    return jdbc.sql(LIST_BY_STATE)
        .param("state", state.dbValue())
        .param("queue", new SqlParameterValue(Types.VARCHAR, queue))
        .param("before_id", beforeId)
        .param("limit", limit)
        .query(JOBS);
  }

  public List<JobError> findErrors(long id) {
    return jdbc.sql(FIND_ERRORS)
        .param("id", id)
        .query(
            (rs, i) ->
                new JobError(
                    rs.getInt("attempt"),
                    instant(rs, "at"),
                    rs.getString("error"),
                    rs.getString("error_class")))
        .list();
  }

  /** The queue schema generation in the database; empty if the schema is missing. */
  public OptionalLong schemaVersion() {
    try {
      return jdbc.sql(SCHEMA_VERSION)
          .query((rs, i) -> rs.getLong(1))
          .optional()
          .map(OptionalLong::of)
          .orElse(OptionalLong.empty());
    } catch (org.springframework.jdbc.BadSqlGrammarException missingTable) {
      return OptionalLong.empty();
    }
  }

  private SqlParameterValue now() {
    return timestamp(clock == null ? null : clock.instant());
  }

  private static SqlParameterValue timestamp(@Nullable Instant instant) {
    return new SqlParameterValue(
        Types.TIMESTAMP_WITH_TIMEZONE,
        instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
  }

  private static SqlParameterValue integer(@Nullable Integer value) {
    return new SqlParameterValue(Types.INTEGER, value);
  }

  private static SqlParameterValue millis(@Nullable Duration value) {
    return new SqlParameterValue(Types.BIGINT, value == null ? null : value.toMillis());
  }

  private static QueueControl mapControl(ResultSet rs, int row) throws SQLException {
    Instant pausedUntil = nullableInstant(rs, "paused_until");
    long periodMillis = rs.getLong("rate_period_ms");
    Duration period = rs.wasNull() ? null : Duration.ofMillis(periodMillis);
    return new QueueControl(
        rs.getString("queue"),
        pausedUntil,
        rs.getBoolean("paused"),
        new QueueLimits(
            (Integer) rs.getObject("max_running"),
            (Integer) rs.getObject("max_running_per_key"),
            (Integer) rs.getObject("rate_limit"),
            period));
  }

  private static Job mapJob(ResultSet rs, int row) throws SQLException {
    return JobColumns.of(rs).read(rs);
  }

  /** Every row of a job query; the columns are looked up by name once, not once per row. */
  private static List<Job> mapJobs(ResultSet rs) throws SQLException {
    List<Job> jobs = new ArrayList<>();
    if (rs.next()) {
      JobColumns columns = JobColumns.of(rs);
      do {
        jobs.add(columns.read(rs));
      } while (rs.next());
    }
    return jobs;
  }

  /**
   * Where a job row's columns are in a result set ({@code RETURNING *} or an explicit list in any
   * order). A claim maps hundreds of rows: by position, with the token and the timestamps read as
   * objects (binary once pgjdbc has prepared the statement), it does no name look-up or text
   * parsing per column.
   */
  private record JobColumns(
      int id,
      int queue,
      int kind,
      int payload,
      int priority,
      int state,
      int runAt,
      int attempt,
      int maxAttempts,
      int uniqueKey,
      int leaseOwner,
      int leaseToken,
      int leaseExpiresAt,
      int progress,
      int errors,
      int cancelRequested,
      int createdAt,
      int startedAt,
      int finalizedAt,
      int partitionKey,
      int traceContext) {

    static JobColumns of(ResultSet rs) throws SQLException {
      return new JobColumns(
          rs.findColumn("id"),
          rs.findColumn("queue"),
          rs.findColumn("kind"),
          rs.findColumn("payload"),
          rs.findColumn("priority"),
          rs.findColumn("state"),
          rs.findColumn("run_at"),
          rs.findColumn("attempt"),
          rs.findColumn("max_attempts"),
          rs.findColumn("unique_key"),
          rs.findColumn("lease_owner"),
          rs.findColumn("lease_token"),
          rs.findColumn("lease_expires_at"),
          rs.findColumn("progress"),
          rs.findColumn("errors"),
          rs.findColumn("cancel_requested"),
          rs.findColumn("created_at"),
          rs.findColumn("started_at"),
          rs.findColumn("finalized_at"),
          rs.findColumn("partition_key"),
          rs.findColumn("trace_context"));
    }

    Job read(ResultSet rs) throws SQLException {
      return new Job(
          rs.getLong(id),
          rs.getString(queue),
          rs.getString(kind),
          rs.getString(payload),
          rs.getInt(priority),
          JobState.fromDb(rs.getString(state)),
          instant(rs, runAt, "run_at"),
          rs.getInt(attempt),
          rs.getInt(maxAttempts),
          rs.getString(uniqueKey),
          rs.getString(leaseOwner),
          rs.getObject(leaseToken, UUID.class),
          nullableInstant(rs, leaseExpiresAt),
          rs.getInt(progress),
          rs.getString(errors),
          rs.getBoolean(cancelRequested),
          instant(rs, createdAt, "created_at"),
          nullableInstant(rs, startedAt),
          nullableInstant(rs, finalizedAt),
          rs.getString(partitionKey),
          rs.getString(traceContext));
    }
  }

  private static Instant instant(ResultSet rs, int column, String name) throws SQLException {
    Instant value = nullableInstant(rs, column);
    if (value == null) {
      throw new SQLException("column " + name + " is unexpectedly null");
    }
    return value;
  }

  private static @Nullable Instant nullableInstant(ResultSet rs, int column) throws SQLException {
    // pgjdbc reads 'infinity' (a pause until resumed) as OffsetDateTime.MAX.
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    if (value == null) {
      return null;
    }
    return value.equals(OffsetDateTime.MAX) ? Instant.MAX : value.toInstant();
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return instant(rs, rs.findColumn(column), column);
  }

  private static @Nullable Instant nullableInstant(ResultSet rs, String column)
      throws SQLException {
    return nullableInstant(rs, rs.findColumn(column));
  }

  private static String sql(String name) {
    return SqlFiles.load(JobRepository.class, name);
  }

  /**
   * The statement with its count bound written in as a number. Not a bind parameter on purpose: for
   * a prepared statement PostgreSQL compares the cost of a generic plan with that of plans made for
   * the given values, and a generic plan assumes a {@code LIMIT} parameter reads a tenth of the
   * rows. Once a backlog exists it therefore plans the statement again on every call, which cost
   * about 0.2 ms of server CPU per enqueue, about as much as running it. A {@code long} cannot
   * carry SQL; every other value stays a bind parameter.
   */
  private static String bound(String sql, long max) {
    if (max < 0) {
      throw new IllegalArgumentException("max must not be negative");
    }
    return sql.replace("{{max_ahead}}", Long.toString(max));
  }
}
