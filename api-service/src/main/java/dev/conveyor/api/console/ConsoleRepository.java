package dev.conveyor.api.console;

import dev.conveyor.contract.SqlFiles;
import dev.conveyor.queue.JobState;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The console's reads; one method per SQL file beside this class. Each statement's cost is bounded
 * by its page size or a count cap, not by the number of jobs (see the files' headers).
 */
@Repository
class ConsoleRepository {

  /** Counts on the overview stop here; the page shows "1,000+". Written in overview_queues.sql. */
  static final long COUNT_CAP = 1_000;

  static final String OVERVIEW_QUEUES = sql("overview_queues.sql");
  static final String THROUGHPUT = sql("throughput.sql");
  static final String LIST_RUNTIMES = sql("list_runtimes.sql");
  static final String LIST_JOBS = sql("list_jobs.sql");
  static final String FIND_JOB_REPORT = sql("find_job_report.sql");
  static final String LIST_SCHEDULES = sql("list_schedules.sql");
  static final String LIST_REPORTS = sql("list_reports.sql");
  static final String LIST_AUDIT = sql("list_audit.sql");
  static final String INSERT_AUDIT = sql("insert_audit.sql");

  private final JdbcClient jdbc;

  ConsoleRepository(DataSource dataSource) {
    this.jdbc = JdbcClient.create(dataSource);
  }

  /** A queue on the overview; counts at {@link #COUNT_CAP} mean "at least". */
  record QueueRow(
      String queue,
      long available,
      long scheduled,
      long retryable,
      long running,
      long dead,
      @Nullable Double oldestSeconds,
      @Nullable Long sampledAvailable,
      boolean sampledEstimated,
      boolean paused,
      @Nullable Instant pausedUntil,
      @Nullable Integer maxRunning,
      @Nullable Integer maxRunningPerKey,
      @Nullable Integer rateLimit,
      @Nullable Duration ratePeriod,
      boolean atMaxRunning,
      boolean atRateLimit) {

    public boolean limited() {
      return maxRunning != null || maxRunningPerKey != null;
    }

    public boolean rateLimited() {
      return rateLimit != null;
    }
  }

  List<QueueRow> overviewQueues() {
    return jdbc.sql(OVERVIEW_QUEUES)
        .query(
            (rs, i) -> {
              long periodMs = rs.getLong("rate_period_ms");
              Duration period = rs.wasNull() ? null : Duration.ofMillis(periodMs);
              return new QueueRow(
                  rs.getString("queue"),
                  rs.getLong("available"),
                  rs.getLong("scheduled"),
                  rs.getLong("retryable"),
                  rs.getLong("running"),
                  rs.getLong("dead"),
                  rs.getObject("oldest_seconds") == null ? null : rs.getDouble("oldest_seconds"),
                  rs.getObject("sampled_available") == null
                      ? null
                      : rs.getLong("sampled_available"),
                  rs.getBoolean("sampled_estimated"),
                  rs.getBoolean("paused"),
                  pausedUntil(rs),
                  (Integer) rs.getObject("max_running"),
                  (Integer) rs.getObject("max_running_per_key"),
                  (Integer) rs.getObject("rate_limit"),
                  period,
                  rs.getBoolean("at_max_running"),
                  rs.getBoolean("at_rate_limit"));
            })
        .list();
  }

  record Minute(Instant minute, long completed, long failed) {}

  List<Minute> throughput(@Nullable String queue) {
    return jdbc.sql(THROUGHPUT)
        .param("queue", queue, Types.VARCHAR)
        .query(
            (rs, i) ->
                new Minute(instant(rs, "minute"), rs.getLong("completed"), rs.getLong("failed")))
        .list();
  }

  record Runtime(
      String id,
      String host,
      List<String> queues,
      int slots,
      int slotsInUse,
      Instant startedAt,
      Instant heartbeatAt,
      boolean stale) {}

  List<Runtime> runtimes() {
    return jdbc.sql(LIST_RUNTIMES)
        .query(
            (rs, i) ->
                new Runtime(
                    rs.getString("id"),
                    rs.getString("host"),
                    strings(rs.getArray("queues")),
                    rs.getInt("slots"),
                    rs.getInt("slots_in_use"),
                    instant(rs, "started_at"),
                    instant(rs, "heartbeat_at"),
                    rs.getBoolean("stale")))
        .list();
  }

  /** The jobs list's filters; each null means "any". */
  record JobFilter(
      @Nullable String queue,
      @Nullable JobState state,
      @Nullable String kind,
      @Nullable String uniqueKey,
      @Nullable Instant createdFrom,
      @Nullable Instant createdTo) {

    static final JobFilter NONE = new JobFilter(null, null, null, null, null, null);
  }

  record JobRow(
      long id,
      String queue,
      String kind,
      String state,
      int priority,
      int attempt,
      int maxAttempts,
      @Nullable String uniqueKey,
      Instant runAt,
      Instant createdAt,
      @Nullable Instant startedAt,
      @Nullable Instant finalizedAt,
      @Nullable String leaseOwner) {}

  /** The statement list_jobs.sql runs for this filter (its state written in from the enum). */
  static String listJobsSql(@Nullable JobState state) {
    return LIST_JOBS.replace(
        "{{state}}",
        state == null ? "" : "AND state = '" + state.name().toLowerCase(Locale.ROOT) + "'");
  }

  List<JobRow> listJobs(JobFilter filter, long beforeId, int limit) {
    return jdbc.sql(listJobsSql(filter.state()))
        .param("before_id", beforeId)
        .param("queue", filter.queue(), Types.VARCHAR)
        .param("kind", filter.kind(), Types.VARCHAR)
        .param("unique_key", filter.uniqueKey(), Types.VARCHAR)
        .param("created_from", timestamp(filter.createdFrom()))
        .param("created_to", timestamp(filter.createdTo()))
        .param("limit", limit)
        .query(
            (rs, i) ->
                new JobRow(
                    rs.getLong("id"),
                    rs.getString("queue"),
                    rs.getString("kind"),
                    rs.getString("state"),
                    rs.getInt("priority"),
                    rs.getInt("attempt"),
                    rs.getInt("max_attempts"),
                    rs.getString("unique_key"),
                    instant(rs, "run_at"),
                    instant(rs, "created_at"),
                    nullableInstant(rs, "started_at"),
                    nullableInstant(rs, "finalized_at"),
                    rs.getString("lease_owner")))
        .list();
  }

  record JobReport(
      UUID id,
      String type,
      String format,
      String status,
      Instant createdAt,
      @Nullable Instant completedAt,
      String client) {}

  Optional<JobReport> findJobReport(UUID reportId) {
    return jdbc.sql(FIND_JOB_REPORT)
        .param("report_id", reportId.toString())
        .query(
            (rs, i) ->
                new JobReport(
                    rs.getObject("id", UUID.class),
                    rs.getString("type"),
                    rs.getString("format"),
                    rs.getString("status"),
                    instant(rs, "created_at"),
                    nullableInstant(rs, "completed_at"),
                    rs.getString("client")))
        .optional();
  }

  record ScheduleRow(
      String name,
      String cron,
      String timeZone,
      String kind,
      String queue,
      String missedPolicy,
      boolean paused,
      Instant nextRunAt,
      @Nullable Instant lastRunAt,
      @Nullable Long lastJobId,
      @Nullable String lastState) {}

  List<ScheduleRow> schedules() {
    return jdbc.sql(LIST_SCHEDULES)
        .query(
            (rs, i) ->
                new ScheduleRow(
                    rs.getString("name"),
                    rs.getString("cron"),
                    rs.getString("time_zone"),
                    rs.getString("kind"),
                    rs.getString("queue"),
                    rs.getString("missed_policy"),
                    rs.getBoolean("paused"),
                    instant(rs, "next_run_at"),
                    nullableInstant(rs, "last_run_at"),
                    (Long) rs.getObject("last_job_id"),
                    rs.getString("last_state")))
        .list();
  }

  record ReportRow(
      UUID id,
      String type,
      String format,
      String status,
      long jobId,
      Instant createdAt,
      @Nullable Instant startedAt,
      @Nullable Instant completedAt,
      String client,
      @Nullable Long sizeBytes,
      double seconds) {}

  List<ReportRow> listReports(@Nullable String status, @Nullable UUID beforeId, int limit) {
    return jdbc.sql(LIST_REPORTS)
        .param("status", status, Types.VARCHAR)
        .param("before_id", beforeId == null ? null : beforeId.toString(), Types.VARCHAR)
        .param("limit", limit)
        .query(
            (rs, i) ->
                new ReportRow(
                    rs.getObject("id", UUID.class),
                    rs.getString("type"),
                    rs.getString("format"),
                    rs.getString("status"),
                    rs.getLong("job_id"),
                    instant(rs, "created_at"),
                    nullableInstant(rs, "started_at"),
                    nullableInstant(rs, "completed_at"),
                    rs.getString("client"),
                    (Long) rs.getObject("size_bytes"),
                    rs.getDouble("seconds")))
        .list();
  }

  record AuditRow(
      long id, Instant at, String actor, String action, String target, String outcome) {}

  List<AuditRow> audit(int limit) {
    return jdbc.sql(LIST_AUDIT)
        .param("limit", limit)
        .query(
            (rs, i) ->
                new AuditRow(
                    rs.getLong("id"),
                    instant(rs, "at"),
                    rs.getString("actor"),
                    rs.getString("action"),
                    rs.getString("target"),
                    rs.getString("outcome")))
        .list();
  }

  void insertAudit(String actor, String action, String target, String outcome) {
    jdbc.sql(INSERT_AUDIT)
        .param("actor", clip(actor, 200))
        .param("action", action)
        .param("target", clip(target, 600))
        .param("outcome", clip(outcome, 600))
        .update();
  }

  private static String clip(String s, int max) {
    return s.length() > max ? s.substring(0, max) : s;
  }

  private static SqlParameterValue timestamp(@Nullable Instant instant) {
    return new SqlParameterValue(
        Types.TIMESTAMP_WITH_TIMEZONE,
        instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  private static @Nullable Instant nullableInstant(ResultSet rs, String column)
      throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static @Nullable Instant pausedUntil(ResultSet rs) throws SQLException {
    OffsetDateTime value = rs.getObject("paused_until", OffsetDateTime.class);
    if (value == null) {
      return null;
    }
    return value.equals(OffsetDateTime.MAX) ? Instant.MAX : value.toInstant();
  }

  private static List<String> strings(@Nullable Array array) throws SQLException {
    return array == null ? List.of() : List.of((String[]) array.getArray());
  }

  private static String sql(String name) {
    return SqlFiles.load(ConsoleRepository.class, name);
  }
}
