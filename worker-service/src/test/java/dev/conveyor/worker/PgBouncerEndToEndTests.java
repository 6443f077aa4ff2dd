package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.api.auth.ApiKeys;
import dev.conveyor.api.auth.Role;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.testsupport.PgBouncer;
import dev.conveyor.testsupport.TestDatabase;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.internal.jdbc.DriverDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The API and a worker with their pools behind a real PgBouncer in transaction mode ({@link
 * PgBouncer}: 4 server connections for both services, pgjdbc with {@code prepareThreshold=0}), and
 * {@code conveyor.db.direct-url} pointing at PostgreSQL itself for what needs a session: LISTEN
 * (the worker's wake-ups and cancellations, the API's live report streams) and Flyway.
 *
 * <p>The worker polls only every 10 minutes here, so a report that starts within the test was woken
 * by a NOTIFY on the worker's LISTEN connection: through PgBouncer that LISTEN would hear nothing
 * ({@code PgBouncerTests}), and the report would wait for the poll.
 */
class PgBouncerEndToEndTests {

  static final TestDatabase db = TestDatabase.get();
  static final Duration WAKE_UP = Duration.ofSeconds(45);

  static PgBouncer bouncer;
  static ConfigurableApplicationContext api;
  static ConfigurableApplicationContext worker;
  static ApiClient client;
  final JdbcClient jdbc = JdbcClient.create(db.dataSource());
  final JobQueue queue = new JobQueue(db.dataSource());

  @BeforeAll
  static void start() {
    bouncer = PgBouncer.inFrontOf(db);
    String pooled = "--spring.datasource.url=" + bouncer.url("prepareThreshold=0");
    String direct = "--conveyor.db.direct-url=" + db.url();
    api = Apps.api(db, 0, pooled, direct);
    worker =
        Apps.worker(
            db, Apps.port(api), pooled, direct, "--conveyor.worker.fetch.poll-interval=10m");
    client =
        new ApiClient(
            Apps.port(api),
            api.getBean(ApiKeys.class)
                .create("pgbouncer-" + System.nanoTime(), Role.CLIENT)
                .key()
                .reveal());
  }

  @AfterAll
  static void stop() {
    Stream.of(worker, api)
        .filter(app -> app != null)
        .forEach(ConfigurableApplicationContext::close);
    if (bouncer != null) {
      bouncer.close();
    }
  }

  @Test
  void aReportRunsCallsBackAndStreamsItsStatusThroughThePooler() throws Exception {
    voters("Bouncer County", 30);
    // Held back until the stream is open, so that the stream sees every change.
    queue.pause("reports");
    String reportId;
    try {
      reportId =
          client.submit(
              "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":"
                  + "{\"county\":\"Bouncer County\"}}");
      try (Events events = Events.open(Apps.port(api), client.key(), reportId)) {
        assertThat(events.next().get("status").asString()).isEqualTo("PENDING");
        long resumed = System.nanoTime();
        queue.resume("reports");

        List<String> statuses = new ArrayList<>();
        JsonNode last;
        do {
          last = events.next();
          statuses.add(last.get("status").asString());
        } while (!ApiClient.isFinal(last));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumed);

        // Each change reached the stream through the worker's callback, the API's update, the
        // reports trigger's NOTIFY and the API's LISTEN on the direct URL; nothing else pushes a
        // state after the first. (Changes close together may arrive as one, the final one.)
        assertThat(statuses).as("after %d ms", millis).endsWith("COMPLETED");
      }
    } finally {
      // Never leaves the queue paused for the tests after this one (a no-op when resumed).
      queue.resume("reports");
    }

    JsonNode report = client.getJson("/api/reports/" + reportId);
    HttpResponse<byte[]> file = client.download(reportId);
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(EndToEndTests.sha256(file.body()))
        .isEqualTo(report.get("artifact").get("sha256").asString());
    assertThat(TestFiles.parseCsv(new String(file.body(), StandardCharsets.UTF_8))).hasSize(30 + 1);
    // The durable report.completed callback was delivered (completed, not retried).
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                jdbc.sql(
                        """
                        SELECT state FROM conveyor.queue_job
                        WHERE kind = 'callback.deliver' AND payload ->> 'reportId' = :id
                          AND payload ->> 'type' = 'report.completed'
                        """)
                    .param("id", reportId)
                    .query(String.class)
                    .optional(),
            state -> state.filter("completed"::equals).isPresent());
  }

  @Test
  void aRunningReportCancelledThroughThePoolerEndsCancelled() {
    // Over 1 MB of CSV: more than one chunk, so the worker writes on after the lock and notices.
    voters("Cancel Bouncer County", 10_000);
    TransactionTemplate tx =
        new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
    String reportId =
        tx.execute(
            status -> {
              // Holds the worker at the first chunk of the file (SHARE blocks inserts until this
              // transaction ends), so the report is certainly running when it is cancelled.
              jdbc.sql("LOCK TABLE artifact_chunks IN SHARE MODE").update();
              String id =
                  client.submit(
                      "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":"
                          + "{\"county\":\"Cancel Bouncer County\"}}");
              await()
                  .atMost(WAKE_UP)
                  .pollInterval(Duration.ofMillis(50))
                  .until(
                      () ->
                          workerWaitsForTheChunkLock()
                              && client
                                  .getJson("/api/reports/" + id)
                                  .get("status")
                                  .asString()
                                  .equals("PROCESSING"));
              assertThat(client.post("/api/reports/" + id + "/cancel").statusCode()).isEqualTo(202);
              return id;
            });

    JsonNode report = client.awaitReport(reportId, Duration.ofSeconds(60), ApiClient::isFinal);

    assertThat(report.get("status").asString()).as(report.toString()).isEqualTo("CANCELLED");
    assertThat(
            jdbc.sql(
                    "SELECT state FROM conveyor.queue_job WHERE kind = 'report.generate'"
                        + " AND unique_key = :id")
                .param("id", reportId)
                .query(String.class)
                .single())
        .isEqualTo("cancelled");
  }

  @Test
  void flywayMigratedOverTheDirectUrl() {
    Flyway flyway = api.getBean(Flyway.class);

    assertThat(flyway.getConfiguration().getDataSource())
        .isInstanceOfSatisfying(
            DriverDataSource.class, source -> assertThat(source.getUrl()).isEqualTo(db.url()));
  }

  private boolean workerWaitsForTheChunkLock() {
    // pg_locks is read live (pg_stat_activity would be a snapshot for this whole transaction).
    return jdbc.sql(
                "SELECT count(*) FROM pg_locks"
                    + " WHERE relation = 'artifact_chunks'::regclass AND NOT granted")
            .query(Long.class)
            .single()
        > 0;
  }

  private void voters(String county, int count) {
    jdbc.sql(
            """
            INSERT INTO voters (state_voter_id, first_name, last_name, date_of_birth,
                                street_address, city, zip_code, county, assembly_district,
                                election_district, party, status, registration_date)
            SELECT 'PB' || :run || '-' || i, 'Given' || i, 'Family' || i, DATE '1980-05-05',
                   i || ' Pooler Road', 'Albany', '12207', :county, 109, i % 40 + 1, 'DEM',
                   'ACTIVE', DATE '2012-01-01'
            FROM generate_series(1, :count) AS i
            """)
        .param("run", System.nanoTime())
        .param("county", county)
        .param("count", count)
        .update();
  }

  /** The report events of one SSE stream ({@code GET /api/reports/{id}/events}), in order. */
  private static final class Events implements AutoCloseable {

    private final BlockingQueue<JsonNode> reports = new LinkedBlockingQueue<>();
    private final HttpResponse<Stream<String>> response;
    private final Thread reader;

    private Events(HttpResponse<Stream<String>> response) {
      this.response = response;
      this.reader = Thread.ofVirtual().start(this::read);
    }

    static Events open(int port, String key, String reportId) {
      HttpResponse<Stream<String>> response =
          EndToEndTests.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://localhost:" + port + "/api/reports/" + reportId + "/events"))
                  .header("Authorization", "Bearer " + key)
                  .header("Accept", "text/event-stream")
                  .GET(),
              HttpResponse.BodyHandlers.ofLines());
      assertThat(response.statusCode()).isEqualTo(200);
      return new Events(response);
    }

    private void read() {
      String event = null;
      StringBuilder data = new StringBuilder();
      try {
        for (String line : (Iterable<String>) response.body()::iterator) {
          if (line.isEmpty()) {
            if ("report".equals(event) && !data.isEmpty()) {
              reports.add(ApiClient.JSON.readTree(data.toString()));
            }
            event = null;
            data.setLength(0);
          } else if (line.startsWith("event:")) {
            event = line.substring("event:".length()).strip();
          } else if (line.startsWith("data:")) {
            data.append(line.substring("data:".length()).strip());
          }
        }
      } catch (UncheckedIOException closed) {
        // close() while the stream was open: the events taken so far are all there are.
      }
    }

    /** The next report event; fails if none comes within {@link #WAKE_UP}. */
    JsonNode next() throws InterruptedException {
      JsonNode report = reports.poll(WAKE_UP.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(report).as("an SSE report event within %s", WAKE_UP).isNotNull();
      return report;
    }

    @Override
    public void close() {
      response.body().close();
      reader.interrupt();
    }
  }
}
