package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.JobHandler;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobRequest;
import dev.conveyor.queue.maintenance.LeaseRescuer;
import dev.conveyor.queue.runtime.WorkerConfig;
import dev.conveyor.queue.runtime.WorkerRuntime;
import dev.conveyor.sampledata.SampleRegistry;
import dev.conveyor.testsupport.TestDatabase;
import dev.conveyor.worker.report.SlowSlicesWorker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A long report holds no transaction open (issue 15): while a report that takes well over 30
 * seconds is built by a worker process (a test hook pauses it after every registry slice), and a
 * voterImport of {@value #IMPORTED} records is applied next to it (paused after every slice of
 * {@value #IMPORT_SLICE}), no transaction of the worker is ever older than 2 seconds in {@code
 * pg_stat_activity}, a burst of 100,000 no-op jobs on another queue drains and its dead rows are
 * vacuumed while the report is still running (nothing holds the vacuum horizon back), and when the
 * process is killed (SIGKILL) mid-report the sweep leaves none of its chunks behind.
 */
class ShortTransactionsEndToEndTests {

  static final TestDatabase db = TestDatabase.get();
  static final int VOTERS = 60_000;
  static final int SLICE = 100;
  // 600 slices of 100 rows at 100 ms each: about a minute, so the report is still being built
  // when the test has watched it for 30 s and kills it.
  static final long PAUSE_MILLIS = 100;
  static final Duration WATCHED = Duration.ofSeconds(30);
  static final int NOOP_JOBS = 100_000;
  static final int IMPORTED = 40_000;
  // The default slice size: 20 slices, at least 2 s with the pauses.
  static final int IMPORT_SLICE = 2_000;

  private static final Logger log = LoggerFactory.getLogger(ShortTransactionsEndToEndTests.class);

  static Process worker;
  static WorkerRuntime noop;
  final JdbcClient jdbc = JdbcClient.create(db.dataSource());
  volatile double oldestSeen;

  @AfterAll
  static void stop() {
    if (worker != null) {
      worker.destroyForcibly();
    }
    if (noop != null) {
      noop.close();
    }
  }

  @Test
  void aLongReportHoldsNoTransactionOpenAndAKilledOneLeavesNoChunks() throws Exception {
    String county = "Short Tx " + System.nanoTime();
    voters(county);
    Path workerLog = Files.createTempFile("conveyor-slow-worker", ".log");
    worker =
        Apps.workerProcess(
            SlowSlicesWorker.class,
            List.of("-D" + SlowSlicesWorker.PAUSE + "=" + PAUSE_MILLIS),
            db,
            Apps.freePort(), // no API: the best-effort events go nowhere, which is fine here
            workerLog,
            "--conveyor.queue.lease.duration=3s",
            "--conveyor.worker-service.fetch-size=" + SLICE,
            "--conveyor.worker-service.voter-import.slice-size=" + IMPORT_SLICE);
    long jobId = report(county);
    await().atMost(Duration.ofSeconds(120)).until(() -> alive(workerLog) && artifactsOf(jobId) > 0);
    // Next to it, a voterImport (issue 15.3): staged in batches, applied in slices, each its own
    // short transaction; it is watched below from its start to its end.
    // A county no other test of this module reports on: 30,000 new voters change nothing there.
    long importJobId = importReport("Westchester");

    // The report is being built. Meanwhile, on another thread, a burst of small jobs on another
    // queue drains, and the test vacuums the queue table.
    String queue = "noop-" + System.nanoTime();
    CompletableFuture<Vacuumed> burst =
        CompletableFuture.supplyAsync(() -> drainAndVacuum(queue, jobId));

    // For 30 s of the report, every ~100 ms: no worker transaction older than 2 s.
    await()
        .during(WATCHED)
        .atMost(WATCHED.plusSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(this::oldestWorkerTransactionSeconds, age -> age < 2.0);
    assertThat(alive(workerLog)).isTrue();
    assertThat(jobState(jobId)).isEqualTo("running");
    // The import ran during the watch (its 20 slices take at least 2 s with the pauses) or ends
    // soon after: watched the same way until it has completed.
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              assertThat(oldestWorkerTransactionSeconds()).isLessThan(2.0);
              return jobState(importJobId).equals("completed");
            });
    assertThat(
            jdbc.sql(
                    """
                    SELECT p.status, r.rows_read, r.inserted
                    FROM registry_import_progress p
                    JOIN registry_imports r ON r.report_id = p.report_id
                    WHERE p.job_id = :job
                    """)
                .param("job", importJobId)
                .query()
                .singleRow())
        .containsEntry("status", "completed")
        .containsEntry("rows_read", (long) IMPORTED)
        .containsEntry("inserted", (long) IMPORTED);
    log.info(
        "voterImport of {} records took {} s; oldest worker transaction seen so far: {} s",
        IMPORTED,
        jdbc.sql(
                "SELECT extract(epoch FROM finalized_at - started_at)::float8"
                    + " FROM conveyor.queue_job WHERE id = :id")
            .param("id", importJobId)
            .query(Double.class)
            .single(),
        oldestSeen);
    log.info(
        "worker: {}",
        Files.readAllLines(workerLog).stream()
            .filter(l -> l.contains("longest transaction"))
            .findFirst()
            .orElse("(no slice timing logged)"));
    assertThat(
            jdbc.sql("SELECT count(*) FROM import_staging WHERE job_id = :job")
                .param("job", importJobId)
                .query(Long.class)
                .single())
        .isZero();

    Vacuumed vacuumed = burst.get(4, TimeUnit.MINUTES);
    // Each of the 100,000 jobs left two dead row versions (claim, completion); a transaction held
    // open since before the burst would make VACUUM keep all of them. A few may be kept from the
    // report's own progress writes and heartbeats, younger than the vacuum's horizon.
    assertThat(vacuumed.deadRows()).isLessThan(1_000);
    assertThat(vacuumed.reportJobState()).isEqualTo("running"); // during the report, not after
    log.info(
        "Oldest worker transaction seen: {} s; dead rows VACUUM kept after the burst: {}; burst"
            + " drained in {} ms",
        oldestSeen,
        vacuumed.deadRows(),
        vacuumed.drainMillis());
    assertThat(oldestWorkerTransactionSeconds()).isLessThan(2.0);

    // Killed mid-report: the unstored file and its chunks stay until the job is rescued (its
    // lease runs out; the no-op runtime's rescuer) and the sweep removes them.
    assertThat(chunksOf(jobId)).isPositive();
    worker.destroyForcibly();
    assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(30)).until(() -> !jobState(jobId).equals("running"));
    new JobQueue(db.dataSource()).cancel(jobId); // nobody else is to run it in this JVM
    assertThat(SlowSlicesWorker.sweep(db.dataSource())).isPositive();
    assertThat(artifactsOf(jobId)).isZero();
    assertThat(
            jdbc.sql(
                    "SELECT count(*) FROM artifact_chunks c WHERE NOT EXISTS"
                        + " (SELECT 1 FROM artifacts a WHERE a.id = c.artifact_id)")
                .query(Long.class)
                .single())
        .isZero();
    jdbc.sql("DELETE FROM conveyor.queue_job WHERE queue = :queue").param("queue", queue).update();
  }

  /** The dead rows VACUUM had to keep, and the report job's state right after. */
  record Vacuumed(long deadRows, String reportJobState, long drainMillis) {}

  private Vacuumed drainAndVacuum(String queue, long reportJobId) {
    jdbc.sql(
            """
            INSERT INTO conveyor.queue_job (queue, kind, payload)
            SELECT :queue, 'noop', '{}' FROM generate_series(1, :n)
            """)
        .param("queue", queue)
        .param("n", NOOP_JOBS)
        .update();
    noop =
        WorkerRuntime.builder(db.dataSource())
            .config(WorkerConfig.defaults().withQueues(Map.of(queue, 50)).withWorkerId("noop"))
            .rescuer(new LeaseRescuer.Config(Duration.ofMillis(300), 100))
            .pruner(null)
            .handler(new Noop())
            .build();
    long started = System.nanoTime();
    noop.start();
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> unfinished(queue) == 0);
    long drainMillis = (System.nanoTime() - started) / 1_000_000;
    long dead = vacuumKeptDeadRows();
    return new Vacuumed(dead, jobState(reportJobId), drainMillis);
  }

  /**
   * Vacuums the queue table; the dead row versions it had to keep because a transaction might still
   * see them ("dead but not yet removable" in its VERBOSE report: the vacuum horizon). The
   * statistics' n_dead_tup would not do: other sessions' counts reach them up to seconds late.
   */
  private long vacuumKeptDeadRows() {
    try (Connection connection = db.dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("VACUUM (VERBOSE) conveyor.queue_job");
      StringBuilder report = new StringBuilder();
      for (SQLWarning w = statement.getWarnings(); w != null; w = w.getNextWarning()) {
        report.append(w.getMessage()).append('\n');
      }
      Matcher kept = Pattern.compile("(\\d+) are dead but not yet removable").matcher(report);
      assertThat(kept.find()).as("VACUUM VERBOSE reports its tuples:\n%s", report).isTrue();
      return Long.parseLong(kept.group(1));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The age of the worker's oldest open transaction in pg_stat_activity, seconds (0: none). */
  private double oldestWorkerTransactionSeconds() {
    var oldest =
        jdbc.sql(
                """
            SELECT extract(epoch FROM clock_timestamp() - xact_start)::float8 AS age, state,
                   wait_event_type, wait_event, pid, pg_blocking_pids(pid) AS blocked_by,
                   left(query, 300) AS query
            FROM pg_stat_activity
            WHERE application_name = 'conveyor-worker' AND xact_start IS NOT NULL
            ORDER BY xact_start
            LIMIT 1
            """)
            .query()
            .listOfRows();
    double age = oldest.isEmpty() ? 0 : ((Number) oldest.get(0).get("age")).doubleValue();
    if (age >= 2.0) {
      // Which statement held it: the failure alone would only say how old.
      log.warn("A worker transaction {} s old: {}", age, oldest.get(0));
    }
    oldestSeen = Math.max(oldestSeen, age);
    return age;
  }

  static final class Noop implements JobHandler {
    @Override
    public String kind() {
      return "noop";
    }

    @Override
    public void handle(JobContext ctx) {}
  }

  private boolean alive(Path log) {
    if (!worker.isAlive()) {
      throw new AssertionError(
          "the worker process exited with " + worker.exitValue() + ":\n" + tail(log));
    }
    return true;
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private void voters(String county) {
    jdbc.sql(
            """
            INSERT INTO voters (state_voter_id, first_name, last_name, date_of_birth,
                                street_address, city, zip_code, county, assembly_district,
                                election_district, party, status, registration_date)
            SELECT 'ST' || :run || '-' || i, 'Given' || i, 'Family' || md5(i::text),
                   DATE '1950-01-01' + i % 20000, i || ' Long Street', 'Albany', '12207',
                   :county, 100 + i % 7, 1 + i % 60, 'DEM', 'ACTIVE', DATE '2010-06-01'
            FROM generate_series(1, :count) AS i
            """)
        .param("run", System.nanoTime())
        .param("county", county)
        .param("count", VOTERS)
        .update();
  }

  /** A PENDING voterList report of a new client and its job, as the API would write them. */
  private long report(String county) {
    byte[] hash = new byte[32];
    new Random().nextBytes(hash);
    long owner =
        jdbc.sql(
                "INSERT INTO api_clients (name, key_hash, key_prefix) VALUES (:n, :h, 'cvk_')"
                    + " RETURNING id")
            .param("n", "short-tx-" + System.nanoTime())
            .param("h", hash)
            .query(Long.class)
            .single();
    UUID reportId = UUID.randomUUID();
    // One transaction, as the API writes them: the worker must not see the job without the row.
    return new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()))
        .execute(
            status ->
                insertReport(reportId, owner, "voterList", "{\"county\":\"" + county + "\"}"));
  }

  private long insertReport(UUID reportId, long owner, String type, String parameters) {
    long jobId =
        new JobQueue(db.dataSource())
            .enqueue(
                JobRequest.of("report.generate", "{\"reportId\":\"" + reportId + "\"}")
                    .withQueue("reports"))
            .job()
            .id();
    jdbc.sql(
            """
            INSERT INTO reports (id, owner_id, type, format, parameters, request_fingerprint,
                                 job_id)
            VALUES (:id, :owner, :type, 'CSV', CAST(:parameters AS jsonb),
                    repeat('c', 64), :job)
            """)
        .param("id", reportId)
        .param("owner", owner)
        .param("type", type)
        .param("parameters", parameters)
        .param("job", jobId)
        .update();
    return jobId;
  }

  /**
   * A PENDING voterImport of {@value #IMPORTED} new voters of {@code county} by a new registrar
   * key, its upload stored in 1 MiB chunks as the API stores it; its job.
   */
  private long importReport(String county) throws IOException {
    long owner =
        jdbc.sql(
                "INSERT INTO api_clients (name, key_hash, key_prefix, role) VALUES (:n, :h,"
                    + " 'cvk_', 'registrar') RETURNING id")
            .param("n", "short-tx-import-" + System.nanoTime())
            .param("h", randomBytes(32))
            .query(Long.class)
            .single();
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    SampleRegistry.writeVoterCsv(file, county, IMPORTED, 0, System.nanoTime());
    byte[] bytes = file.toByteArray();
    UUID upload = UUID.randomUUID();
    jdbc.sql(
            """
            INSERT INTO artifacts (id, owner_id, kind, filename, content_type, size_bytes, sha256)
            VALUES (:id, :owner, 'upload', 'voters.csv', 'text/csv', :size, repeat('ab', 32))
            """)
        .param("id", upload)
        .param("owner", owner)
        .param("size", bytes.length)
        .update();
    int chunk = 1 << 20;
    for (int seq = 0; seq * chunk < bytes.length; seq++) {
      jdbc.sql("INSERT INTO artifact_chunks (artifact_id, seq, data) VALUES (:id, :seq, :data)")
          .param("id", upload)
          .param("seq", seq)
          .param(
              "data",
              Arrays.copyOfRange(bytes, seq * chunk, Math.min(bytes.length, (seq + 1) * chunk)))
          .update();
    }
    UUID reportId = UUID.randomUUID();
    String parameters = "{\"uploadId\":\"" + upload + "\",\"county\":\"" + county + "\"}";
    return new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()))
        .execute(status -> insertReport(reportId, owner, "voterImport", parameters));
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    new Random().nextBytes(bytes);
    return bytes;
  }

  private long chunksOf(long jobId) {
    return jdbc.sql(
            "SELECT count(*) FROM artifact_chunks c JOIN artifacts a ON a.id = c.artifact_id"
                + " WHERE a.job_id = :job")
        .param("job", jobId)
        .query(Long.class)
        .single();
  }

  private long artifactsOf(long jobId) {
    return jdbc.sql("SELECT count(*) FROM artifacts WHERE job_id = :job")
        .param("job", jobId)
        .query(Long.class)
        .single();
  }

  private String jobState(long jobId) {
    return jdbc.sql("SELECT state FROM conveyor.queue_job WHERE id = :id")
        .param("id", jobId)
        .query(String.class)
        .single();
  }

  private long unfinished(String queue) {
    return jdbc.sql(
            "SELECT count(*) FROM conveyor.queue_job WHERE queue = :queue"
                + " AND state IN ('available', 'running')")
        .param("queue", queue)
        .query(Long.class)
        .single();
  }
}
