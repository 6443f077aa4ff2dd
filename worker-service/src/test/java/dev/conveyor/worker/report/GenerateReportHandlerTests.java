package dev.conveyor.worker.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.queue.JobFailure;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.LeaseLostException;
import dev.conveyor.testsupport.TestDatabase;
import dev.conveyor.worker.WorkerServiceProperties;
import dev.conveyor.worker.callback.TestReportEvents;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
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
  final WorkerServiceProperties properties = GeneratorRun.properties(callbacksQueue);
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @AfterEach
  void endJobs() {
    TestJobContext.endAll();
  }

  /** Writes files as in service: each chunk its own transaction. */
  ArtifactRepository artifacts() {
    return new ArtifactRepository(jdbc, Objects.requireNonNull(tx.getTransactionManager()));
  }

  private GenerateReportHandler handler(VoterListReport voterList) {
    return new GenerateReportHandler(
        new ReportRepository(jdbc),
        artifacts(),
        List.of(voterList),
        TestReportEvents.create(properties, new JobQueue(db.dataSource()), json),
        json,
        properties,
        meters);
  }

  private VoterListReport failing() {
    return new VoterListReport(new RegistryAccess(jdbc, json, 100)) {
      @Override
      void stream(Filter filter, RowConsumer rows) {
        throw new IllegalStateException("the disk is on fire");
      }
    };
  }

  @Test
  void aFailedLastAttemptFailsTheReportDurably() {
    Fixture f = report("Oneida", 0);
    TestJobContext ctx = new TestJobContext(tx, f.reportId(), 5, 5, false);

    assertThatThrownBy(() -> handler(failing()).handle(ctx))
        .isInstanceOf(IllegalStateException.class)
        .isNotInstanceOf(JobFailure.class);

    List<JsonNode> events = callbacks(f.reportId());
    assertThat(events).extracting(e -> e.get("type").asString()).containsExactly("report.failed");
    assertThat(events.getFirst().get("error").get("code").asString())
        .isEqualTo("GENERATION_FAILED");
    assertThat(events.getFirst().get("leaseToken").asString()).isEqualTo(ctx.token.toString());
    assertThat(artifactsOf(f.ownerId())).isZero();
    assertThat(duration("voterList", "failed").count()).isOne();
  }

  /**
   * The schema admits only the known types, and this worker generates them all; a worker of an
   * older release than the API (during a rolling deploy) may not know one, and must fail it at once
   * rather than retry.
   */
  @Test
  void aTypeThisWorkerDoesNotKnowFailsTheReportAtOnce() {
    Fixture f = report("absenteeReport", "Oneida", 0);
    TestJobContext ctx = new TestJobContext(tx, f.reportId(), 1, 5, false);

    assertThatThrownBy(
            () -> handler(new VoterListReport(new RegistryAccess(jdbc, json, 100))).handle(ctx))
        .isInstanceOf(JobFailure.Permanent.class)
        .hasMessageContaining("UNSUPPORTED_REPORT_TYPE");

    List<JsonNode> events = callbacks(f.reportId());
    assertThat(events).extracting(e -> e.get("type").asString()).containsExactly("report.failed");
    assertThat(events.getFirst().get("error").get("code").asString())
        .isEqualTo("UNSUPPORTED_REPORT_TYPE");
    assertThat(events.getFirst().get("error").get("message").asString()).contains("absenteeReport");
    assertThat(artifactsOf(f.ownerId())).isZero();
    // Not a tag per unknown type: the types a worker knows bound the series.
    assertThat(duration("unknown", "failed").count()).isOne();
    assertThat(meters.find(GenerateReportHandler.DURATION).tag("type", "absenteeReport").meters())
        .isEmpty();
  }

  @Test
  void aFailedEarlierAttemptIsRetriedWithoutAnEvent() {
    Fixture f = report("Oneida", 0);

    assertThatThrownBy(
            () -> handler(failing()).handle(new TestJobContext(tx, f.reportId(), 1, 5, false)))
        .isInstanceOf(IllegalStateException.class);

    assertThat(callbacks(f.reportId())).isEmpty();
    assertThat(duration("voterList", "error").count()).isOne();
    // Registered when the handler was built, before any report of the type completed.
    assertThat(duration("voterList", "completed").count()).isZero();
  }

  private io.micrometer.core.instrument.Timer duration(String type, String outcome) {
    return meters
        .get(GenerateReportHandler.DURATION)
        .tags("type", type, "outcome", outcome)
        .timer();
  }

  @Test
  void aCancelledAttemptRollsBackItsFileAndReportsCancelled() {
    Fixture f = report("Otsego", 600);
    TestJobContext ctx = new TestJobContext(tx, f.reportId(), 1, 5, true);

    assertThatThrownBy(
            () -> handler(new VoterListReport(new RegistryAccess(jdbc, json, 100))).handle(ctx))
        .isInstanceOf(JobFailure.Cancelled.class);

    assertThat(callbacks(f.reportId()))
        .extracting(e -> e.get("type").asString())
        .containsExactly("report.cancelled");
    assertThat(artifactsOf(f.ownerId())).isZero();
    assertThat(ctx.completed).isFalse();
  }

  /**
   * The runtime signals a lost lease (the job was rescued and will run again) through the
   * cancellation flag; that is no cancellation by the client, and the attempt no longer owns the
   * report. Until the next attempt is claimed, the job row still holds this attempt's token, so the
   * API would accept a report.cancelled from it and end a report nobody cancelled.
   */
  @Test
  void anAttemptThatLostItsLeaseStopsWithoutAnEvent() {
    Fixture f = report("Orleans", 600);
    TestJobContext ctx = new TestJobContext(tx, f.reportId(), 1, 5, false).loseLease();

    assertThatThrownBy(
            () -> handler(new VoterListReport(new RegistryAccess(jdbc, json, 100))).handle(ctx))
        .isInstanceOf(RuntimeException.class);

    assertThat(callbacks(f.reportId())).isEmpty();
    assertThat(artifactsOf(f.ownerId())).isZero();
    assertThat(ctx.completed).isFalse();
  }

  /**
   * The file is written before the last step, in transactions of its own; "stored" is set only in
   * the transaction that completes the job. A lease lost just before that step rolls the mark back
   * with the completion, and the attempt deletes its unfinished file.
   */
  @Test
  void aLeaseLostAtTheLastStepLeavesNoStoredFileAndNoEvent() {
    Fixture f = report("Onondaga", 300);
    TestJobContext ctx = new TestJobContext(tx, f.reportId(), 1, 5, false);
    // The lease is lost as the last step begins: after every chunk, before the completion.
    ArtifactRepository losingAtTheLastStep =
        new ArtifactRepository(jdbc, Objects.requireNonNull(tx.getTransactionManager())) {
          @Override
          void markStored(UUID id, long jobId, UUID reportId, long size, String sha256) {
            ctx.loseLease();
            super.markStored(id, jobId, reportId, size, sha256);
          }
        };
    GenerateReportHandler handler =
        new GenerateReportHandler(
            new ReportRepository(jdbc),
            losingAtTheLastStep,
            List.of(new VoterListReport(new RegistryAccess(jdbc, json, 100))),
            TestReportEvents.create(properties, new JobQueue(db.dataSource()), json),
            json,
            properties,
            meters);

    assertThatThrownBy(() -> handler.handle(ctx)).isInstanceOf(LeaseLostException.class);

    assertThat(ctx.completed).isFalse();
    assertThat(callbacks(f.reportId())).isEmpty();
    // Had "stored" committed without the completion, the attempt's clean-up (unstored files
    // only) would have left the file.
    assertThat(artifactsOf(f.ownerId())).isZero();
  }

  @Test
  void aCompletedAttemptCommitsFileAndCompletedEventTogether() {
    Fixture f = report("Oswego", 3);
    TestJobContext ctx = new TestJobContext(tx, f.reportId(), 1, 5, false);

    handler(new VoterListReport(new RegistryAccess(jdbc, json, 100))).handle(ctx);

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
    TestJobContext ctx = new TestJobContext(tx, f.reportId(), 1, 5, false);

    handler(new VoterListReport(new RegistryAccess(jdbc, json, 100))).handle(ctx);

    assertThat(ctx.progress).isSorted().doesNotHaveDuplicates().contains(1, 50, 99);
    assertThat(ctx.progress.getLast()).isEqualTo(99);
  }

  record Fixture(UUID reportId, long ownerId) {}

  private Fixture report(String county, int voters) {
    return report("voterList", county, voters);
  }

  private Fixture report(String type, String county, int voters) {
    long owner = client();
    UUID id = insertReport(owner, type, "{\"county\":\"" + county + "\"}");
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

  /** A new API client; its id. */
  long client() {
    byte[] hash = new byte[32];
    new Random().nextBytes(hash);
    return jdbc.sql(
            "INSERT INTO api_clients (name, key_hash, key_prefix) VALUES (:n, :h, 'cvk_')"
                + " RETURNING id")
        .param("n", "handler-test-" + System.nanoTime())
        .param("h", hash)
        .query(Long.class)
        .single();
  }

  /** A PENDING CSV report of {@code owner}; its id. */
  UUID insertReport(long owner, String type, String parameters) {
    UUID id = UUID.randomUUID();
    jdbc.sql(
            """
            INSERT INTO reports (id, owner_id, type, format, parameters, request_fingerprint,
                                 job_id)
            VALUES (:id, :owner, :type, 'CSV', CAST(:parameters AS jsonb), repeat('b', 64), 1)
            """)
        .param("id", id)
        .param("owner", owner)
        .param("type", type)
        .param("parameters", parameters)
        .update();
    return id;
  }

  List<JsonNode> callbacks(UUID reportId) {
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
}
