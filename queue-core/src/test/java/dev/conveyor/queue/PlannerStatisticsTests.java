package dev.conveyor.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.conveyor.queue.jdbc.JobRepository;
import dev.conveyor.queue.maintenance.PlannerStatistics;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * A worker that started on an empty table keeps, on its connections, the plans PostgreSQL made for
 * an empty table (whole-table scans) until the table's statistics change; {@link PlannerStatistics}
 * ANALYZEs the table once it has outgrown them, and the same connection's next claim reads the
 * claim index instead. Autovacuum is off for the table during these tests, so that its own ANALYZE
 * cannot do the work in between.
 */
class PlannerStatisticsTests extends QueueTestBase {

  private final JobRepository repository = new JobRepository(dataSource, null);
  private final PlannerStatistics statistics =
      new PlannerStatistics(repository, PlannerStatistics.DEFAULT_INTERVAL);

  @BeforeEach
  void emptyAndAnalyzedWithoutAutovacuum() {
    db.execute("ALTER TABLE conveyor.queue_job SET (autovacuum_enabled = false)");
    db.execute("ANALYZE conveyor.queue_job");
  }

  @AfterEach
  void autovacuumBack() {
    db.execute("ALTER TABLE conveyor.queue_job RESET (autovacuum_enabled)");
  }

  @Test
  void aClaimPlannedOnAnEmptyTableReadsTheIndexOnceTheGrownTableIsAnalyzed() {
    SingleConnectionDataSource connection =
        new SingleConnectionDataSource(db.url(), db.user(), db.password(), true);
    try {
      JobRepository worker = new JobRepository(connection, null);
      // Past PostgreSQL's five custom plans: from here on the connection runs its generic plan.
      for (int i = 0; i < 8; i++) {
        assertThat(worker.claimAvailable("stats", 10, "w", Duration.ofMinutes(1))).isEmpty();
      }
      assertThat(statistics.checkNow()).as("an empty table is not stale").isFalse();

      fill(20_000);
      assertThat(seqScansOfOneClaim(connection, worker))
          .as("the plan made for an empty table")
          .isPositive();

      assertThat(statistics.checkNow()).isTrue();
      assertThat(reltuples()).isGreaterThan(15_000);
      assertThat(seqScansOfOneClaim(connection, worker)).isZero();
      assertThat(statistics.checkNow()).as("analyzed: no longer stale").isFalse();
    } finally {
      connection.destroy();
    }
  }

  /**
   * A burst into a quiet queue: the batched writes ran on a table of a page or two, then it grew.
   * Prepared statements would keep the plans made then (a scan of the whole table per id, session
   * 16 saw one completion of 500 jobs take 1.5 s); planned at each execution, the same connection
   * finds the rows by key, before any ANALYZE.
   */
  @Test
  void batchedWritesRunOnAOnePageTableFindTheirRowsByKeyOnceItGrew() {
    SingleConnectionDataSource connection =
        new SingleConnectionDataSource(db.url(), db.user(), db.password(), true);
    try {
      JobRepository worker = new JobRepository(connection, null);
      // A quiet queue: a few jobs at a time go through a table of one page. Past pgjdbc's
      // prepare threshold and PostgreSQL's five custom plans, prepared statements would run the
      // generic plans made for that table from here on.
      for (int i = 0; i < 12; i++) {
        insert("quiet", 3);
        List<Job> batch = worker.claimAvailable("quiet", 3, "w", Duration.ofMinutes(1));
        Long[] ids = batch.stream().map(Job::id).toArray(Long[]::new);
        UUID[] tokens = batch.stream().map(Job::leaseToken).toArray(UUID[]::new);
        assertThat(worker.extendLeases(ids, tokens, Duration.ofMinutes(1))).hasSize(3);
        assertThat(worker.releaseMany(ids, tokens)).hasSize(3);
        batch = worker.claimAvailable("quiet", 3, "w", Duration.ofMinutes(1));
        ids = batch.stream().map(Job::id).toArray(Long[]::new);
        tokens = batch.stream().map(Job::leaseToken).toArray(UUID[]::new);
        assertThat(worker.completeMany(ids, tokens)).hasSize(3);
      }
      fill(20_000);
      insert("stats", 30);
      List<Job> claimed = worker.claimAvailable("stats", 30, "w", Duration.ofMinutes(1));
      assertThat(claimed).hasSize(30);
      Long[] ids = claimed.stream().map(Job::id).toArray(Long[]::new);
      UUID[] tokens = claimed.stream().map(Job::leaseToken).toArray(UUID[]::new);

      Map<Long, Boolean> extended = new HashMap<>();
      List<Long> released = new ArrayList<>();
      Set<Long> completed = new HashSet<>();
      long scans =
          seqScansDuring(
              connection,
              () -> {
                extended.putAll(
                    worker.extendLeases(
                        Arrays.copyOfRange(ids, 0, 10),
                        Arrays.copyOfRange(tokens, 0, 10),
                        Duration.ofMinutes(1)));
                released.addAll(
                    worker.releaseMany(
                        Arrays.copyOfRange(ids, 10, 20), Arrays.copyOfRange(tokens, 10, 20)));
                completed.addAll(
                    worker.completeMany(
                        Arrays.copyOfRange(ids, 20, 30), Arrays.copyOfRange(tokens, 20, 30)));
              });

      assertThat(extended).hasSize(10);
      assertThat(released).hasSize(10);
      assertThat(completed).hasSize(10);
      assertThat(scans).as("whole-table scans of the three writes").isZero();
      assertThat(reltuples()).as("no ANALYZE in between").isLessThan(1);
    } finally {
      connection.destroy();
    }
  }

  @Test
  void aTableLockedByAnotherMaintenanceIsLeftForTheNextCheck() throws Exception {
    fill(20_000);
    try (Connection holder = db.dataSource().getConnection()) {
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        // What a running VACUUM or ANALYZE holds.
        s.execute("LOCK TABLE conveyor.queue_job IN SHARE UPDATE EXCLUSIVE MODE");
      }
      // Without the lock timeout the ANALYZE would wait for this transaction: fail, not hang.
      assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10), statistics::checkNow)).isFalse();
      holder.rollback();
    }
    assertThat(statistics.checkNow()).isTrue();
  }

  @Test
  void aSmallTableIsNotAnalyzed() {
    fill(50);
    assertThat(statistics.checkNow()).isFalse();
    assertThat(reltuples()).isLessThan(1);
  }

  private void insert(String queue, int jobs) {
    jdbc.sql(
            "INSERT INTO conveyor.queue_job (queue, kind, payload)"
                + " SELECT :queue, 'k', '{}' FROM generate_series(1, :jobs)")
        .param("queue", queue)
        .param("jobs", jobs)
        .update();
  }

  /** Available jobs of another queue, inserted in one statement. */
  private void fill(int rows) {
    jdbc.sql(
            "INSERT INTO conveyor.queue_job (queue, kind, payload)"
                + " SELECT 'other', 'k', '{}' FROM generate_series(1, :rows)")
        .param("rows", rows)
        .update();
  }

  private double reltuples() {
    return jdbc.sql("SELECT reltuples FROM pg_class WHERE oid = 'conveyor.queue_job'::regclass")
        .query(Double.class)
        .single();
  }

  /** Whole-table scans of queue_job that one (empty) claim on {@code connection} made. */
  private long seqScansOfOneClaim(SingleConnectionDataSource connection, JobRepository worker) {
    return seqScansDuring(
        connection,
        () -> assertThat(worker.claimAvailable("stats", 10, "w", Duration.ofMinutes(1))).isEmpty());
  }

  /** Whole-table scans of queue_job that {@code work} on {@code connection} made. */
  private long seqScansDuring(SingleConnectionDataSource connection, Runnable work) {
    flushCounters(connection); // whatever the connection did before
    long before = seqScans();
    work.run();
    flushCounters(connection);
    return seqScans() - before;
  }

  /** A backend reports its counters at most once a second unless told to now. */
  private static void flushCounters(SingleConnectionDataSource connection) {
    JdbcClient own = JdbcClient.create(connection);
    own.sql("SELECT pg_stat_force_next_flush()").query().singleRow();
    own.sql("SELECT 1").query(Integer.class).single();
  }

  private long seqScans() {
    jdbc.sql("SELECT pg_stat_clear_snapshot()").query().singleRow();
    return jdbc.sql(
            "SELECT seq_scan FROM pg_stat_user_tables"
                + " WHERE relid = 'conveyor.queue_job'::regclass")
        .query(Long.class)
        .single();
  }
}
