package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.queue.migrations.QueueMigrations;
import dev.conveyor.testsupport.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The KEDA query that scales the workers ({@code deploy/kubernetes/base/queue_demand.sql}, the file
 * kustomize puts into the ScaledObject), run as it is against PostgreSQL: it answers the workers
 * the served queues need now, and with 1,000,000 jobs it reads only indexes and stays under 50 ms.
 *
 * <p>It runs in a database of its own on the test server (created, migrated with {@link
 * QueueMigrations} and dropped by this class), because the file names {@code conveyor.queue_job}
 * itself and the million jobs must not meet any other test. The small cases run in a transaction
 * that empties the queue first and is rolled back, so the million rows are back for the next one.
 */
class WorkerScalingQueryTests {

  private static final Logger log = LoggerFactory.getLogger(WorkerScalingQueryTests.class);
  private static final Path QUERY =
      Path.of("..", "deploy", "kubernetes", "base", "queue_demand.sql");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static final TestDatabase db = TestDatabase.get();
  private static final String DATABASE =
      "keda_demand_" + UUID.randomUUID().toString().substring(0, 8);
  private static String query;
  private static Connection connection;

  @BeforeAll
  static void createTheDatabaseWithAMillionJobs() throws Exception {
    query = Files.readString(QUERY);
    db.execute("CREATE DATABASE " + DATABASE);
    String url = db.url().replaceFirst("^(jdbc:postgresql://[^/]+/)[^?]*", "$1" + DATABASE);
    connection = DriverManager.getConnection(url, db.user(), db.password());
    QueueMigrations.migrate(new SingleConnectionDataSource(connection, true));
    long started = System.nanoTime();
    try (Statement s = connection.createStatement()) {
      // A throwaway database: no WAL for the load (the plans do not depend on it), and the
      // migrations' secondary indexes built once after it, from their own definitions, instead of
      // row by row (several times faster on a loaded machine).
      s.execute("ALTER TABLE conveyor.queue_job SET UNLOGGED");
      List<String> indexes = new ArrayList<>();
      try (ResultSet rows =
          s.executeQuery(
              "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'conveyor'"
                  + " AND tablename = 'queue_job' AND indexname <> 'queue_job_pkey'")) {
        while (rows.next()) {
          indexes.add(rows.getString(2));
          assertThat(rows.getString(1)).startsWith("queue_job_");
        }
      }
      assertThat(indexes).anyMatch(d -> d.contains("queue_job_claim_idx"));
      s.execute(
          "DROP INDEX "
              + indexes.stream()
                  .map(
                      d -> "conveyor." + d.replaceFirst("^CREATE (UNIQUE )?INDEX (\\S+) .*$", "$2"))
                  .collect(java.util.stream.Collectors.joining(", ")));
      // Per ten jobs: six completed (not yet pruned), two available but due in an hour or more,
      // one due now, one due now in a queue the workers do not serve; priorities 0-2.
      s.execute(
          """
          INSERT INTO conveyor.queue_job (queue, kind, priority, state, run_at, attempt,
                                          finalized_at)
          SELECT CASE WHEN g % 10 = 9 THEN 'default' ELSE 'reports' END, 'report.generate', g % 3,
                 CASE WHEN g % 10 < 6 THEN 'completed' ELSE 'available' END,
                 CASE WHEN g % 10 IN (6, 7) THEN now() + interval '1 hour' + g * interval '1 ms'
                      ELSE now() - interval '1 hour' + g * interval '1 ms' END,
                 CASE WHEN g % 10 < 6 THEN 1 ELSE 0 END,
                 CASE WHEN g % 10 < 6 THEN now() END
          FROM generate_series(1, 1000000) g
          """);
      running(s, "reports", 40);
      for (String index : indexes) {
        s.execute(index);
      }
      // What autovacuum would have done by now (V002 sets it to follow inserts closely): the
      // statistics, and the visibility map that lets the counts read the index alone.
      s.execute("VACUUM (ANALYZE) conveyor.queue_job");
    }
    log.info("1,000,000 jobs in {} ms", (System.nanoTime() - started) / 1_000_000);
  }

  @AfterAll
  static void dropTheDatabase() throws SQLException {
    if (connection != null) {
      connection.close();
    }
    db.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
  }

  @Nested
  class WithAMillionJobs {

    /**
     * Due now in the served queue: 100,000 in three priority groups, each counted up to 1,000; plus
     * 40 running: (3,000 + 40) / 4 slots. The jobs due later and the other queue's do not count.
     */
    @Test
    void answersTheWorkersOfTheCountedDemand() throws SQLException {
      assertThat(workers()).isEqualTo(760);
    }

    @Test
    void readsOnlyIndexesAndStaysUnder50Milliseconds() throws SQLException {
      List<JsonNode> scans = new ArrayList<>();
      collectScans(plan("EXPLAIN (FORMAT JSON) "), scans);
      assertThat(scans)
          .filteredOn(n -> "queue_job".equals(n.path("Relation Name").asString("")))
          .isNotEmpty()
          .allSatisfy(
              n ->
                  assertThat(n.get("Node Type").asString())
                      .as("scan of queue_job")
                      .isIn("Index Scan", "Index Only Scan", "Bitmap Heap Scan"));
      assertThat(scans)
          .extracting(n -> n.path("Index Name").asString(""))
          .contains("queue_job_claim_idx", "queue_job_running_idx");

      // The best of five runs: the statement's cost, not how long a loaded machine kept the
      // server off the CPU. Rows read stay bounded: a few thousand index entries, never the table.
      double fastest = Double.MAX_VALUE;
      for (int run = 0; run < 5; run++) {
        JsonNode analyzed = plan("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ");
        fastest = Math.min(fastest, analyzed.get("Execution Time").asDouble());
        assertThat(rowsRead(analyzed.get("Plan"))).isLessThan(20_000);
      }
      log.info("queue_demand.sql with 1,000,000 jobs: {} ms", fastest);
      assertThat(fastest).isLessThan(50.0);
    }
  }

  @Nested
  class Demand {

    @Test
    void isZeroWithoutJobs() throws SQLException {
      assertThat(inEmptyQueue(s -> {})).isZero();
    }

    /**
     * reports: 5 due + 2 running = 7 jobs for 4 slots, 2 workers; callbacks: 17 due for 8 slots, 3
     * workers. The busiest queue decides: 3. Jobs due later, finished jobs and another queue's jobs
     * add nothing.
     */
    @Test
    void isTheWorkersOfTheBusiestServedQueue() throws SQLException {
      assertThat(
              inEmptyQueue(
                  s -> {
                    due(s, "reports", 3, 0);
                    due(s, "reports", 2, 5);
                    running(s, "reports", 2);
                    later(s, "reports", 30);
                    finished(s, "reports", 50);
                    due(s, "callbacks", 17, 0);
                    due(s, "default", 100, 0);
                  }))
          .isEqualTo(3);
    }

    @Test
    void countsRunningJobsSoThatTheirWorkersStay() throws SQLException {
      assertThat(inEmptyQueue(s -> running(s, "webhooks", 5))).isEqualTo(2);
    }

    @Test
    void countsOnlyTheRunningJobsOfAPausedQueue() throws SQLException {
      assertThat(
              inEmptyQueue(
                  s -> {
                    due(s, "callbacks", 40, 0);
                    running(s, "callbacks", 1);
                    due(s, "reports", 4, 0);
                    s.execute(
                        "INSERT INTO conveyor.queue_control (queue, paused_until)"
                            + " VALUES ('callbacks', 'infinity')");
                  }))
          .isEqualTo(1);
    }

    @Test
    void countsNoMoreThanMaxRunningLetsStart() throws SQLException {
      assertThat(
              inEmptyQueue(
                  s -> {
                    due(s, "reports", 40, 0);
                    running(s, "reports", 2);
                    s.execute(
                        "INSERT INTO conveyor.queue_control (queue, max_running)"
                            + " VALUES ('reports', 6)");
                  }))
          .isEqualTo(2);
    }

    @Test
    void aPausedQueueWhosePauseEndedCountsAgain() throws SQLException {
      assertThat(
              inEmptyQueue(
                  s -> {
                    due(s, "reports", 9, 0);
                    s.execute(
                        "INSERT INTO conveyor.queue_control (queue, paused_until)"
                            + " VALUES ('reports', now() - interval '1 second')");
                  }))
          .isEqualTo(3);
    }
  }

  /** Runs the query on an empty queue with what {@code setup} adds, then puts everything back. */
  private static int inEmptyQueue(Setup setup) throws SQLException {
    connection.setAutoCommit(false);
    try (Statement s = connection.createStatement()) {
      // TRUNCATE is transactional: the rollback brings the million jobs back at once.
      s.execute("TRUNCATE conveyor.queue_job, conveyor.queue_control");
      setup.run(s);
      return workers();
    } finally {
      connection.rollback();
      connection.setAutoCommit(true);
    }
  }

  private static int workers() throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rows = s.executeQuery(query)) {
      assertThat(rows.next()).isTrue();
      int workers = rows.getInt(1);
      assertThat(rows.next()).as("one row").isFalse();
      return workers;
    }
  }

  private static JsonNode plan(String explain) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rows = s.executeQuery(explain + query)) {
      rows.next();
      return JSON.readTree(rows.getString(1)).get(0);
    }
  }

  private static void collectScans(JsonNode node, List<JsonNode> scans) {
    if (node.has("Relation Name")) {
      scans.add(node);
    }
    if (node.has("Plan")) {
      collectScans(node.get("Plan"), scans);
    }
    for (JsonNode child : node.path("Plans")) {
      collectScans(child, scans);
    }
  }

  /** Rows that the plan's scans of queue_job returned, over all their loops. */
  private static long rowsRead(JsonNode node) {
    long rows = 0;
    if ("queue_job".equals(node.path("Relation Name").asString(""))) {
      rows +=
          node.path("Actual Rows").asLong() * Math.max(1, node.path("Actual Loops").asLong())
              + node.path("Rows Removed by Filter").asLong();
    }
    for (JsonNode child : node.path("Plans")) {
      rows += rowsRead(child);
    }
    return rows;
  }

  private static void due(Statement s, String queue, int jobs, int priority) throws SQLException {
    s.execute(
        "INSERT INTO conveyor.queue_job (queue, kind, priority, run_at)"
            + " SELECT '%s', 'k', %d, now() - interval '1 minute' FROM generate_series(1, %d)"
                .formatted(queue, priority, jobs));
  }

  private static void later(Statement s, String queue, int jobs) throws SQLException {
    s.execute(
        "INSERT INTO conveyor.queue_job (queue, kind, run_at)"
            + " SELECT '%s', 'k', now() + interval '1 minute' FROM generate_series(1, %d)"
                .formatted(queue, jobs));
  }

  private static void finished(Statement s, String queue, int jobs) throws SQLException {
    s.execute(
        "INSERT INTO conveyor.queue_job (queue, kind, state, attempt, finalized_at)"
            + " SELECT '%s', 'k', 'completed', 1, now() FROM generate_series(1, %d)"
                .formatted(queue, jobs));
  }

  private static void running(Statement s, String queue, int jobs) throws SQLException {
    s.execute(
        ("INSERT INTO conveyor.queue_job (queue, kind, state, attempt, lease_owner, lease_token,"
                + " lease_expires_at, started_at)"
                + " SELECT '%s', 'k', 'running', 1, 'worker-1', gen_random_uuid(),"
                + " now() + interval '30 seconds', now() FROM generate_series(1, %d)")
            .formatted(queue, jobs));
  }

  @FunctionalInterface
  private interface Setup {
    void run(Statement s) throws SQLException;
  }
}
