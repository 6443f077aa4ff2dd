package dev.conveyor.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.conveyor.queue.jdbc.JobRepository;
import dev.conveyor.queue.maintenance.PlannerStatistics;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
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
    JdbcClient own = JdbcClient.create(connection);
    long before = seqScans();
    assertThat(worker.claimAvailable("stats", 10, "w", Duration.ofMinutes(1))).isEmpty();
    // The claim's backend reports its counters at most once a second unless told to now.
    own.sql("SELECT pg_stat_force_next_flush()").query().singleRow();
    own.sql("SELECT 1").query(Integer.class).single();
    return seqScans() - before;
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
