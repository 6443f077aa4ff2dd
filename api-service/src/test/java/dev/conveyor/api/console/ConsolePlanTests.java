package dev.conveyor.api.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.conveyor.migrations.Migrations;
import dev.conveyor.queue.JobState;
import dev.conveyor.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pins the console's queries at 1,000,000 jobs (and 100,000 reports): each reads the index its
 * header names, never scans the job table, and answers in under 200 ms (the fastest of three runs:
 * the bound is about the plan, not about a stall of the shared machine). The rows live in a
 * database of their own on the test server, migrated like production, filled by one INSERT ...
 * SELECT generate_series per table and analyzed, and dropped after the class. No Spring context:
 * the statements are ConsoleRepository's own files.
 */
class ConsolePlanTests {

  private static final Logger log = LoggerFactory.getLogger(ConsolePlanTests.class);
  private static final TestDatabase db = TestDatabase.get();
  private static final String DATABASE = "console_plan";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static HikariDataSource dataSource;
  private static JdbcClient jdbc;

  @BeforeAll
  static void loadMillionJobs() {
    db.execute("DROP DATABASE IF EXISTS " + DATABASE);
    db.execute("CREATE DATABASE " + DATABASE);
    dataSource = new HikariDataSource();
    dataSource.setJdbcUrl(
        db.url().replaceFirst("^(jdbc:postgresql://[^/]+/)[^?]*", "$1" + DATABASE));
    dataSource.setUsername(db.user());
    dataSource.setPassword(db.password());
    dataSource.setMaximumPoolSize(2);
    long migrating = System.nanoTime();
    Migrations.migrate(dataSource);
    log.info("Migrated in {} ms", (System.nanoTime() - migrating) / 1_000_000);
    jdbc = JdbcClient.create(dataSource);
    long started = System.nanoTime();
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement()) {
      // A throwaway database: no write-ahead log for the job table, no triggers or foreign key
      // checks during the load, and the job table's secondary indexes built once after it rather
      // than entry by entry (the same indexes, by their own definitions: the plans are the same).
      st.execute("SET session_replication_role = replica");
      st.execute("SET maintenance_work_mem = '256MB'");
      st.execute("ALTER TABLE conveyor.queue_job SET UNLOGGED");
      List<String> indexes = new ArrayList<>();
      List<String> names = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery(
              "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'conveyor'"
                  + " AND tablename = 'queue_job' AND indexname <> 'queue_job_pkey'")) {
        while (rs.next()) {
          indexes.add(rs.getString("indexdef"));
          names.add(rs.getString("indexname"));
        }
      }
      for (String name : names) {
        st.execute("DROP INDEX conveyor." + name);
      }
      // Per 1,000 ids: 900 completed, 40 available now (queues alpha/beta), 20 scheduled and 5
      // retryable in the future, 20 dead, 14 cancelled, 1 running. Every 10th job has a unique
      // key.
      st.execute(JOBS);
      for (String def : indexes) {
        st.execute(def);
      }
      log.info("1,000,000 jobs in {} ms", (System.nanoTime() - started) / 1_000_000);
      st.execute(
          "INSERT INTO api_clients (name, key_hash, key_prefix) VALUES ('plan',"
              + " sha256('plan'::bytea), 'cvk_plan')");
      st.execute(REPORTS);
      st.execute(
          "INSERT INTO conveyor.queue_control (queue, max_running, rate_limit, rate_period)"
              + " VALUES ('alpha', 10, 100, interval '1 second')");
      st.execute("SET session_replication_role = origin");
      st.execute("ANALYZE conveyor.queue_job, reports");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    log.info("Loaded 1,000,000 jobs in {} ms", (System.nanoTime() - started) / 1_000_000);
  }

  private static final String JOBS =
      """
      INSERT INTO conveyor.queue_job
          (queue, kind, state, priority, run_at, attempt, max_attempts, unique_key,
           lease_owner, lease_token, lease_expires_at, created_at, started_at, finalized_at)
      SELECT CASE WHEN i % 3 = 0 THEN 'beta' ELSE 'alpha' END,
             CASE WHEN i % 7 = 0 THEN 'report.generate' ELSE 'callback.deliver' END,
             s.state, i % 3,
             CASE WHEN s.state = 'available' AND m >= 940 THEN now() + interval '1 hour'
                  ELSE t END,
             CASE WHEN s.state IN ('completed', 'discarded', 'running') OR m >= 960 THEN 1
                  ELSE 0 END,
             CASE WHEN s.state = 'discarded' THEN 1 ELSE 5 END,
             CASE WHEN i % 10 = 0 THEN 'key-' || i END,
             CASE WHEN s.state = 'running' THEN 'w' END,
             CASE WHEN s.state = 'running' THEN gen_random_uuid() END,
             CASE WHEN s.state = 'running' THEN now() + interval '1 minute' END,
             t, CASE WHEN s.state <> 'available' THEN t END,
             CASE WHEN s.state IN ('completed', 'discarded', 'cancelled') THEN t END
      FROM generate_series(1, 1000000) i,
           LATERAL (SELECT i % 1000 AS m,
                           now() - interval '2 days' + i * interval '150 ms' AS t) x,
           LATERAL (SELECT CASE WHEN m < 900 THEN 'completed'
                                WHEN m < 965 THEN 'available'
                                WHEN m < 985 THEN 'discarded'
                                WHEN m < 999 THEN 'cancelled'
                                ELSE 'running' END AS state) s
      """;

  private static final String REPORTS =
      """
      INSERT INTO reports (id, owner_id, type, format, status, progress, request_fingerprint,
                           job_id, created_at, started_at, completed_at)
      SELECT lpad(to_hex(i), 32, '0')::uuid, c.id, 'voterList', 'CSV',
             CASE WHEN i % 2 = 0 THEN 'CANCELLED' ELSE 'PENDING' END, 0, repeat('0', 64), i,
             now() - interval '2 days' + i * interval '1 s', NULL,
             CASE WHEN i % 2 = 0 THEN now() END
      FROM generate_series(1, 100000) i, (SELECT id FROM api_clients WHERE name = 'plan') c
      """;

  @AfterAll
  static void dropDatabase() {
    dataSource.close();
    db.execute("DROP DATABASE IF EXISTS " + DATABASE);
  }

  @Test
  void overviewWalksTheIndexesAndCapsItsCounts() {
    String sql = ConsoleRepository.OVERVIEW_QUEUES;
    JsonNode plan = explain(sql, Map.of());

    assertThat(indexesRead(plan))
        .contains("queue_job_claim_idx", "queue_job_discarded_idx", "queue_job_running_idx");
    assertNoJobTableScan(plan);
    List<Map<String, Object>> rows = jdbc.sql(sql).query().listOfRows();
    assertThat(rows).extracting(r -> r.get("queue")).containsExactly("alpha", "beta");
    Map<String, Object> alpha = rows.get(0);
    assertThat(((Number) alpha.get("available")).longValue()).isEqualTo(1_000); // capped
    assertThat(((Number) alpha.get("running")).longValue())
        .isEqualTo(
            jdbc.sql(
                    "SELECT count(*) FROM conveyor.queue_job WHERE queue = 'alpha' AND state = 'running'")
                .query(Long.class)
                .single());
    assertThat(((Number) alpha.get("dead")).longValue()).isEqualTo(1_000); // capped
    assertThat(alpha.get("at_max_running")).isEqualTo(true);
    assertThat(fastest(sql, Map.of())).isLessThan(200.0);
  }

  @Test
  void jobsListReadsTheIndexOfItsFilter() {
    record Case(String name, ConsoleRepository.JobFilter filter, String index) {}
    List<Case> cases =
        List.of(
            new Case("no filter", ConsoleRepository.JobFilter.NONE, "queue_job_pkey"),
            new Case(
                "dead of a queue",
                new ConsoleRepository.JobFilter("beta", JobState.DISCARDED, null, null, null, null),
                "queue_job_discarded_idx"),
            new Case(
                "running",
                new ConsoleRepository.JobFilter(null, JobState.RUNNING, null, null, null, null),
                "queue_job_running_idx"),
            new Case(
                "unique key",
                new ConsoleRepository.JobFilter(null, null, null, "key-500000", null, null),
                "queue_job_unique_key_lookup_idx"),
            new Case(
                "queue, kind and a day",
                new ConsoleRepository.JobFilter(
                    "alpha",
                    null,
                    "report.generate",
                    null,
                    Instant.now().minusSeconds(86_400),
                    Instant.now()),
                "queue_job_pkey"));
    for (Case c : cases) {
      ConsoleRepository.JobFilter f = c.filter();
      String sql = ConsoleRepository.listJobsSql(f.state());
      Map<String, Object> params = new HashMap<>();
      params.put("before_id", Long.MAX_VALUE);
      params.put("queue", new SqlParameterValue(Types.VARCHAR, f.queue()));
      params.put("kind", new SqlParameterValue(Types.VARCHAR, f.kind()));
      params.put("unique_key", new SqlParameterValue(Types.VARCHAR, f.uniqueKey()));
      params.put("created_from", at(f.createdFrom()));
      params.put("created_to", at(f.createdTo()));
      params.put("limit", 50);
      JsonNode plan = explain(sql, params);
      assertThat(indexesRead(plan)).as(c.name()).contains(c.index());
      assertNoJobTableScan(plan);
      assertThat(jdbc.sql(sql).params(params).query().listOfRows()).as(c.name()).isNotEmpty();
      assertThat(fastest(sql, params)).as(c.name()).isLessThan(200.0);
    }
  }

  @Test
  void reportsListReadsThePrimaryKeyBackwards() {
    Map<String, Object> params = new HashMap<>();
    params.put("status", new SqlParameterValue(Types.VARCHAR, null));
    params.put(
        "before_id", new SqlParameterValue(Types.VARCHAR, "00000000-0000-0000-0000-00000000c350"));
    params.put("limit", 50);
    JsonNode plan = explain(ConsoleRepository.LIST_REPORTS, params);

    assertThat(indexesRead(plan)).contains("reports_pkey");
    assertThat(nodes(plan.get("Plan"), new ArrayList<>()))
        .noneSatisfy(n -> assertThat(n.get("Node Type").asString()).isIn("Seq Scan", "Sort"));
    assertThat(jdbc.sql(ConsoleRepository.LIST_REPORTS).params(params).query().listOfRows())
        .hasSize(50);
    assertThat(fastest(ConsoleRepository.LIST_REPORTS, params)).isLessThan(200.0);
  }

  @Test
  void theThroughputRollupReadsOnlyTheJobsFinishedSinceTheMark() {
    // A sampling period's worth: the jobs finalized in the last 10 s (about 67 of them).
    Map<String, Object> params =
        Map.of(
            "from", at(Instant.now().minusSeconds(86_400 + 10)),
            "up_to", at(Instant.now().minusSeconds(86_400)));
    String sql = rollupSql();
    JsonNode plan = explain(sql, params);
    assertThat(indexesRead(plan)).contains("queue_job_finalized_idx");
    assertNoJobTableScan(plan);
  }

  /** roll_up_throughput.sql, from queue-core's class path (the sampler runs it). */
  private static String rollupSql() {
    try (var in =
        dev.conveyor.queue.jdbc.OperationsRepository.class.getResourceAsStream(
            "roll_up_throughput.sql")) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  // --- helpers -----------------------------------------------------------------------------

  private static SqlParameterValue at(Instant instant) {
    return new SqlParameterValue(
        Types.TIMESTAMP_WITH_TIMEZONE,
        instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
  }

  private static JsonNode explain(String sql, Map<String, Object> params) {
    String json =
        jdbc.sql("EXPLAIN (FORMAT JSON) " + sql).params(params).query(String.class).single();
    return JSON.readTree(json).get(0);
  }

  /** The fastest of three EXPLAIN ANALYZE runs, in ms; each in a transaction rolled back. */
  private static double fastest(String sql, Map<String, Object> params) {
    double fastest = Double.MAX_VALUE;
    for (int run = 0; run < 3; run++) {
      String json =
          jdbc.sql("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
              .params(params)
              .query(String.class)
              .single();
      fastest = Math.min(fastest, JSON.readTree(json).get(0).get("Execution Time").asDouble());
    }
    log.info("{} ms: {}", fastest, sql.lines().findFirst().orElse(""));
    return fastest;
  }

  private static void assertNoJobTableScan(JsonNode plan) {
    assertThat(nodes(plan.get("Plan"), new ArrayList<>()))
        .noneSatisfy(
            n -> {
              assertThat(n.get("Node Type").asString()).isEqualTo("Seq Scan");
              assertThat(n.path("Relation Name").asString()).isEqualTo("queue_job");
            });
  }

  private static List<String> indexesRead(JsonNode plan) {
    List<String> indexes = new ArrayList<>();
    for (JsonNode n : nodes(plan.get("Plan"), new ArrayList<>())) {
      if (n.has("Index Name")) {
        indexes.add(n.get("Index Name").asString());
      }
    }
    return indexes;
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
