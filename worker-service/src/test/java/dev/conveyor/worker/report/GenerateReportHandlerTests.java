package dev.conveyor.worker.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.JobFailure;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobState;
import dev.conveyor.testsupport.TestDatabase;
import dev.conveyor.worker.Secret;
import dev.conveyor.worker.WorkerServiceProperties;
import dev.conveyor.worker.callback.TestReportEvents;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The handler's failure paths on the real database, driven attempt by attempt: which durable event
 * each outcome leaves, and that an unfinished attempt leaves no file behind. (The happy path runs
 * end to end in EndToEndTests.)
 */
class GenerateReportHandlerTests {

  static final TestDatabase db = TestDatabase.get();
  static final JsonMapper json = JsonMapper.builder().build();

  final JdbcClient jdbc = JdbcClient.create(db.dataSource());
  final TransactionTemplate tx =
      new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
  // A queue of this test's own, so its callback jobs are not claimed by anyone.
  final String callbacksQueue = "callbacks-test-" + System.nanoTime();
  final WorkerServiceProperties properties =
      new WorkerServiceProperties(
          URI.create("http://127.0.0.1:1"),
          new Secret("whsec_Y29udmV5b3ItZ29sZGVuLXZlY3Rvci1zZWNyZXQtMzI="),
          Duration.ofMillis(200),
          Duration.ofMillis(200),
          callbacksQueue,
          25,
          Duration.ofSeconds(1),
          100);

  private GenerateReportHandler handler(VoterListReport voterList) {
    return new GenerateReportHandler(
        new ReportRepository(jdbc),
        new ArtifactRepository(jdbc),
        List.of(voterList),
        TestReportEvents.create(properties, new JobQueue(db.dataSource()), json),
        json,
        properties);
  }

  private VoterListReport failing() {
    return new VoterListReport(jdbc, json, 100) {
      @Override
      void stream(Filter filter, int fetchSize, RowConsumer rows) {
        throw new IllegalStateException("the disk is on fire");
      }
    };
  }

  @Test
  void aFailedLastAttemptFailsTheReportDurably() {
    Fixture f = report("Oneida", 0);
    TestContext ctx = new TestContext(f.reportId(), 5, 5, false);

    assertThatThrownBy(() -> handler(failing()).handle(ctx))
        .isInstanceOf(IllegalStateException.class)
        .isNotInstanceOf(JobFailure.class);

    List<JsonNode> events = callbacks(f.reportId());
    assertThat(events).extracting(e -> e.get("type").asString()).containsExactly("report.failed");
    assertThat(events.getFirst().get("error").get("code").asString())
        .isEqualTo("GENERATION_FAILED");
    assertThat(events.getFirst().get("leaseToken").asString()).isEqualTo(ctx.token.toString());
    assertThat(artifactsOf(f.ownerId())).isZero();
  }

  @Test
  void aFailedEarlierAttemptIsRetriedWithoutAnEvent() {
    Fixture f = report("Oneida", 0);

    assertThatThrownBy(() -> handler(failing()).handle(new TestContext(f.reportId(), 1, 5, false)))
        .isInstanceOf(IllegalStateException.class);

    assertThat(callbacks(f.reportId())).isEmpty();
  }

  @Test
  void aCancelledAttemptRollsBackItsFileAndReportsCancelled() {
    Fixture f = report("Otsego", 600);
    TestContext ctx = new TestContext(f.reportId(), 1, 5, true);

    assertThatThrownBy(() -> handler(new VoterListReport(jdbc, json, 100)).handle(ctx))
        .isInstanceOf(JobFailure.Cancelled.class);

    assertThat(callbacks(f.reportId()))
        .extracting(e -> e.get("type").asString())
        .containsExactly("report.cancelled");
    assertThat(artifactsOf(f.ownerId())).isZero();
    assertThat(ctx.completed).isFalse();
  }

  @Test
  void aCompletedAttemptCommitsFileAndCompletedEventTogether() {
    Fixture f = report("Oswego", 3);
    TestContext ctx = new TestContext(f.reportId(), 1, 5, false);

    handler(new VoterListReport(jdbc, json, 100)).handle(ctx);

    assertThat(ctx.completed).isTrue();
    List<JsonNode> events = callbacks(f.reportId());
    assertThat(events)
        .extracting(e -> e.get("type").asString())
        .containsExactly("report.completed");
    assertThat(artifactsOf(f.ownerId())).isOne();
  }

  @Test
  void progressRisesWithTheRowsWrittenAndLeavesOneHundredForCompletion() {
    Fixture f = report("Ontario", 500);
    TestContext ctx = new TestContext(f.reportId(), 1, 5, false);

    handler(new VoterListReport(jdbc, json, 100)).handle(ctx);

    assertThat(ctx.progress).isSorted().doesNotHaveDuplicates().contains(1, 50, 99);
    assertThat(ctx.progress.getLast()).isEqualTo(99);
  }

  record Fixture(UUID reportId, long ownerId) {}

  private Fixture report(String county, int voters) {
    byte[] hash = new byte[32];
    new Random().nextBytes(hash);
    long owner =
        jdbc.sql(
                "INSERT INTO api_clients (name, key_hash, key_prefix) VALUES (:n, :h, 'cvk_')"
                    + " RETURNING id")
            .param("n", "handler-test-" + System.nanoTime())
            .param("h", hash)
            .query(Long.class)
            .single();
    UUID id = UUID.randomUUID();
    jdbc.sql(
            """
            INSERT INTO reports (id, owner_id, type, format, parameters, request_fingerprint,
                                 job_id)
            VALUES (:id, :owner, 'voterList', 'CSV', CAST(:parameters AS jsonb), repeat('b', 64), 1)
            """)
        .param("id", id)
        .param("owner", owner)
        .param("parameters", "{\"county\":\"" + county + "\"}")
        .update();
    jdbc.sql(
            """
            INSERT INTO voters (state_voter_id, first_name, last_name, date_of_birth,
                                street_address, city, zip_code, county, assembly_district,
                                election_district, party, status, registration_date)
            SELECT :prefix || i, 'F', 'L' || i, DATE '1970-01-01', '1 Main St', 'Utica', '13501',
                   :county, 100, 1, 'DEM', 'ACTIVE', DATE '2000-01-01'
            FROM generate_series(1, :count) AS i
            """)
        .param("prefix", "T" + System.nanoTime() + "-")
        .param("county", county)
        .param("count", voters)
        .update();
    return new Fixture(id, owner);
  }

  private List<JsonNode> callbacks(UUID reportId) {
    return jdbc
        .sql(
            "SELECT payload::text FROM conveyor.queue_job WHERE queue = :queue"
                + " AND kind = 'callback.deliver' AND payload ->> 'reportId' = :id ORDER BY id")
        .param("queue", callbacksQueue)
        .param("id", reportId.toString())
        .query(String.class)
        .list()
        .stream()
        .map(json::readTree)
        .toList();
  }

  private long artifactsOf(long owner) {
    return jdbc.sql("SELECT count(*) FROM artifacts WHERE owner_id = :owner")
        .param("owner", owner)
        .query(Long.class)
        .single();
  }

  /** One attempt of a report job; completeWithin commits through a real transaction. */
  final class TestContext implements JobContext {
    final UUID token = UUID.randomUUID();
    private final Job job;
    private final boolean cancelled;
    volatile boolean completed;
    final List<Integer> progress = new java.util.concurrent.CopyOnWriteArrayList<>();

    TestContext(UUID reportId, int attempt, int maxAttempts, boolean cancelled) {
      Instant now = Instant.now();
      this.job =
          new Job(
              System.nanoTime(),
              "reports",
              GenerateReportHandler.KIND,
              "{\"reportId\":\"" + reportId + "\"}",
              0,
              JobState.RUNNING,
              now,
              attempt,
              maxAttempts,
              null,
              "test",
              token,
              now.plusSeconds(30),
              0,
              "[]",
              cancelled,
              now,
              now,
              null,
              null);
      this.cancelled = cancelled;
    }

    @Override
    public Job job() {
      return job;
    }

    @Override
    public void progress(int percent) {
      progress.add(percent);
    }

    @Override
    public boolean isCancellationRequested() {
      return cancelled;
    }

    @Override
    public boolean heartbeat() {
      return true;
    }

    @Override
    public void pauseQueueUntil(Instant until) {}

    @Override
    public <T> @Nullable T completeWithin(Supplier<T> work) {
      T result = tx.execute(status -> work.get());
      completed = true;
      return result;
    }
  }
}
