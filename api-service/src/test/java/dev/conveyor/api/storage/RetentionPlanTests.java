package dev.conveyor.api.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.ApiProperties;
import dev.conveyor.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pins the plans of the retention sweep's statements behind a backlog in the tables they read:
 * 1,000,000 expired uploads and 1,000,000 expired reports (half of them with a file past its
 * retention): each reads its index, takes a bounded batch, and runs in under 50 ms. The rows are
 * loaded in one transaction that is rolled back at the end (nothing is left behind, and no other
 * test, nor the application's own sweep, ever sees them), with triggers and foreign key checks off
 * for the load only ({@code session_replication_role = replica}) and back on for the statements. No
 * Spring context: the statements are the repository's own SQL files.
 */
class RetentionPlanTests {

  private static final Logger log = LoggerFactory.getLogger(RetentionPlanTests.class);
  private static final int ROWS = 1_000_000;
  private static final int BATCH = ApiProperties.defaults().retention().batchSize();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static Connection connection;
  private static JdbcClient jdbc;
  private static final Instant NOW = Instant.now();

  @BeforeAll
  static void loadBacklog() throws Exception {
    connection = TestDatabase.get().dataSource().getConnection();
    connection.setAutoCommit(false);
    jdbc = JdbcClient.create(new SingleConnectionDataSource(connection, true));
    long started = System.nanoTime();
    try (Statement s = connection.createStatement()) {
      s.execute("SET LOCAL session_replication_role = replica");
      s.execute(
          "INSERT INTO api_clients (name, key_hash, key_prefix)"
              + " VALUES ('retention-plan', sha256('retention-plan'::bytea), 'cvk_plan')");
      // Keys and times ascending, as the application writes them (report ids are time-ordered),
      // so the load appends to the indexes instead of writing all over them.
      //
      // 1,000,000 files past the upload retention that no voterImport report names: candidates of
      // the upload sweep. The newer half doubles as the files of the completed reports below (the
      // file sweep joins a report's file by id whatever its kind), which spares loading another
      // million rows; the upload sweep's batches take the oldest.
      long loaded = System.nanoTime();
      s.execute(
          """
          INSERT INTO artifacts (id, owner_id, kind, filename, content_type, size_bytes, sha256,
                                 created_at)
          SELECT lpad(to_hex(i), 32, '0')::uuid, c.id, 'upload', 'u.csv', 'text/csv', 1000,
                 repeat('0', 64), now() - interval '100 days' + i * interval '1 ms'
          FROM generate_series(1, %1$d) i,
               (SELECT id FROM api_clients WHERE name = 'retention-plan') c
          """
              .formatted(ROWS));
      log.info("1,000,000 artifacts in {} ms", (System.nanoTime() - loaded) / 1_000_000);
      // 1,000,000 reports, alternately completed with a file past the artifact retention (file
      // sweep) and cancelled past the report retention (report sweep).
      loaded = System.nanoTime();
      s.execute(
          """
          INSERT INTO reports (id, owner_id, type, format, status, progress, request_fingerprint,
                               job_id, artifact_id, created_at, started_at, completed_at)
          SELECT lpad(to_hex(i), 32, '0')::uuid, c.id, 'voterList', 'CSV',
                 CASE WHEN i %% 2 = 1 THEN 'COMPLETED' ELSE 'CANCELLED' END,
                 CASE WHEN i %% 2 = 1 THEN 100 ELSE 0 END, repeat('0', 64), -i,
                 CASE WHEN i %% 2 = 1 THEN lpad(to_hex(%1$d / 2 + (i + 1) / 2), 32, '0')::uuid END,
                 t, CASE WHEN i %% 2 = 1 THEN t END, t
          FROM generate_series(1, %1$d) i,
               (SELECT id FROM api_clients WHERE name = 'retention-plan') c,
               LATERAL (SELECT now() - interval '100 days' + i * interval '1 ms' AS t) at
          """
              .formatted(ROWS));
      log.info("1,000,000 reports in {} ms", (System.nanoTime() - loaded) / 1_000_000);
      s.execute("SET LOCAL session_replication_role = origin");
      s.execute("ANALYZE reports, artifacts");
    }
    log.info("Loaded the retention backlog in {} ms", (System.nanoTime() - started) / 1_000_000);
  }

  @AfterAll
  static void removeBacklog() throws Exception {
    connection.rollback();
    connection.setAutoCommit(true);
    try (Statement s = connection.createStatement()) {
      // ANALYZE wrote the backlog's row counts in place (not rolled back): count again.
      s.execute("ANALYZE reports, artifacts");
    }
    connection.close();
  }

  @Test
  void expiringReportFilesReadsItsPartialIndexAndDeletesABatch() throws Exception {
    Map<String, Object> params =
        Map.of(
            "cutoff",
            at(NOW.minus(Duration.ofDays(30))),
            "now",
            at(NOW),
            "batch",
            BATCH,
            "maxBytes",
            RetentionSweeper.BATCH_BYTES);

    JsonNode plan = explain(StorageRepository.EXPIRE_ARTIFACTS, params);

    assertThat(indexesRead(plan))
        .contains("reports_artifact_completed_idx", "artifacts_pkey")
        .doesNotContain("reports_final_idx");
    assertBoundedBatch(plan);
    assertThat(
            fastestExecution(
                StorageRepository.EXPIRE_ARTIFACTS,
                params,
                "SELECT count(*) FROM reports WHERE artifact_expired_at IS NOT NULL"
                    + " AND owner_id = (SELECT id FROM api_clients WHERE name = 'retention-plan')",
                BATCH))
        .isLessThan(50.0);
  }

  @Test
  void deletingExpiredReportsReadsItsPartialIndexAndDeletesABatch() throws Exception {
    Map<String, Object> params =
        Map.of("cutoff", at(NOW.minus(Duration.ofDays(90))), "batch", BATCH);

    JsonNode plan = explain(StorageRepository.DELETE_EXPIRED_REPORTS, params);

    assertThat(indexesRead(plan))
        .contains("reports_final_idx")
        .doesNotContain("reports_artifact_completed_idx");
    assertBoundedBatch(plan);
    assertThat(
            fastestExecution(
                StorageRepository.DELETE_EXPIRED_REPORTS,
                params,
                "SELECT %d - count(*) FROM reports".formatted(ROWS)
                    + " WHERE owner_id = (SELECT id FROM api_clients WHERE name = 'retention-plan')",
                BATCH))
        .isLessThan(50.0);
  }

  @Test
  void deletingUnusedUploadsReadsItsPartialIndexAndDeletesABatch() throws Exception {
    Map<String, Object> lockParams =
        Map.of("cutoff", at(NOW.minus(Duration.ofHours(24))), "batch", BATCH);

    JsonNode lockPlan = explain(StorageRepository.LOCK_UNUSED_UPLOADS, lockParams);

    assertThat(indexesRead(lockPlan)).contains("artifacts_upload_created_idx");
    assertBoundedBatch(lockPlan);
    // Both statements of a batch, as the sweep runs them, timed together.
    double fastest = Double.MAX_VALUE;
    for (int run = 0; run < 3; run++) {
      jdbc.sql("SAVEPOINT run").update();
      List<UUID> ids = new ArrayList<>();
      double ms = 0;
      JsonNode locked = analyze(StorageRepository.LOCK_UNUSED_UPLOADS, lockParams);
      ms += locked.get("Execution Time").asDouble();
      ids.addAll(
          jdbc.sql(StorageRepository.LOCK_UNUSED_UPLOADS)
              .params(lockParams)
              .query(UUID.class)
              .list());
      assertThat(ids).hasSize(BATCH);
      JsonNode deleted = analyze(StorageRepository.DELETE_UNUSED_UPLOADS, Map.of("ids", ids));
      assertThat(indexesRead(deleted)).contains("artifacts_pkey");
      assertThat(
              jdbc.sql("SELECT count(*) FROM artifacts WHERE id IN (:ids)")
                  .param("ids", ids)
                  .query(Long.class)
                  .single())
          .isZero();
      ms += deleted.get("Execution Time").asDouble();
      jdbc.sql("ROLLBACK TO SAVEPOINT run").update();
      fastest = Math.min(fastest, ms);
    }
    log.info("Unused uploads: a batch of {} in {} ms (fastest of 3)", BATCH, fastest);
    assertThat(fastest).isLessThan(50.0);
  }

  // --- helpers -----------------------------------------------------------------------------

  private static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  private static JsonNode explain(String sql, Map<String, Object> params) {
    String json =
        jdbc.sql("EXPLAIN (FORMAT JSON) " + sql).params(params).query(String.class).single();
    JsonNode plan = JSON.readTree(json).get(0);
    log.info("Plan: {}", plan);
    return plan;
  }

  /** EXPLAIN ANALYZE runs the statement: each run is rolled back to a savepoint. */
  private static JsonNode analyze(String sql, Map<String, Object> params) {
    String json =
        jdbc.sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
            .params(params)
            .query(String.class)
            .single();
    return JSON.readTree(json).get(0);
  }

  /**
   * The fastest of three runs, each rolled back to a savepoint (a run on a loaded machine can
   * stall; the bound is about the plan's own cost). Before each rollback, {@code check} (a count)
   * must show that the run changed {@code expected} rows.
   */
  private static double fastestExecution(
      String sql, Map<String, Object> params, String check, long expected) {
    double fastest = Double.MAX_VALUE;
    for (int run = 0; run < 3; run++) {
      jdbc.sql("SAVEPOINT run").update();
      JsonNode result = analyze(sql, params);
      assertThat(jdbc.sql(check).query(Long.class).single()).isEqualTo(expected);
      jdbc.sql("ROLLBACK TO SAVEPOINT run").update();
      double ms = result.get("Execution Time").asDouble();
      log.info("Execution: {} ms", ms);
      fastest = Math.min(fastest, ms);
    }
    return fastest;
  }

  /** A Limit node of at most the batch size, and no sequential scan of a backlog table. */
  private static void assertBoundedBatch(JsonNode plan) {
    List<JsonNode> nodes = nodes(plan.get("Plan"), new ArrayList<>());
    assertThat(nodes)
        .anySatisfy(
            n -> {
              assertThat(n.get("Node Type").asString()).isEqualTo("Limit");
              assertThat(n.get("Plan Rows").asLong()).isLessThanOrEqualTo(BATCH);
            });
    // The queue table of a test database is nearly empty, so a look-up in it may be planned as a
    // sequential scan; the two tables the backlog fills must not be.
    assertThat(nodes)
        .noneSatisfy(
            n -> {
              assertThat(n.get("Node Type").asString()).isEqualTo("Seq Scan");
              assertThat(n.get("Relation Name").asString()).isIn("reports", "artifacts");
            });
  }

  private static List<String> indexesRead(JsonNode plan) {
    return nodes(plan.get("Plan"), new ArrayList<>()).stream()
        .filter(n -> n.has("Index Name"))
        .map(n -> n.get("Index Name").asString())
        .toList();
  }

  private static List<JsonNode> nodes(JsonNode node, List<JsonNode> into) {
    into.add(node);
    if (node.has("Plans")) {
      for (JsonNode child : node.get("Plans")) {
        nodes(child, into);
      }
    }
    return into;
  }
}
