package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.api.ConveyorApiApplication;
import dev.conveyor.api.auth.ApiKeys;
import dev.conveyor.api.auth.Role;
import dev.conveyor.sampledata.SampleRegistry;
import dev.conveyor.sampledata.VoterCsv;
import dev.conveyor.testsupport.TestDatabase;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.Row;
import org.dhatim.fastexcel.reader.Sheet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API and the worker as two Spring applications in one JVM over one real PostgreSQL: a client
 * submits over HTTP, the worker claims the job, stores the file and calls back (signed), and the
 * client polls the report and downloads the file.
 */
class EndToEndTests {

  static final String SECRET = "whsec_qa/2bwd4cUNiwZMt8e73DvCI7WvxsXeCZpU/R51N3eY=";
  static final TestDatabase db = TestDatabase.get();
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final AtomicInteger VOTERS = new AtomicInteger();

  static ConfigurableApplicationContext api;
  static ConfigurableApplicationContext worker;
  static int apiPort;
  static String apiKey;
  static String webhookSecret;
  static long clientId;

  /** Every span each application finished: tracing is on in these two (issue 19, Tracing). */
  static final InMemorySpanExporter API_SPANS = InMemorySpanExporter.create();

  static final InMemorySpanExporter WORKER_SPANS = InMemorySpanExporter.create();

  /** Where both applications export their spans over OTLP, as to a collector in production. */
  static final TraceCapture.Collector COLLECTOR = new TraceCapture.Collector();

  final JdbcClient jdbc = JdbcClient.create(db.dataSource());

  @BeforeAll
  static void start() {
    // Both applications' application.yml are on this classpath: give each its own explicitly.
    api =
        new SpringApplicationBuilder(ConveyorApiApplication.class)
            .initializers(TraceCapture.into(API_SPANS))
            .run(
                concat(
                    TraceCapture.on(COLLECTOR),
                    "--spring.config.location=" + configOf(ConveyorApiApplication.class),
                    "--server.port=0",
                    "--spring.datasource.url=" + db.url(),
                    "--spring.datasource.username=" + db.user(),
                    "--spring.datasource.password=" + db.password(),
                    "--conveyor.api.callbacks.secrets[0]=" + SECRET,
                    // The client webhook test's receiver is on loopback.
                    "--conveyor.api.webhooks.allow-private-addresses=true"));
    apiPort = Integer.parseInt(api.getEnvironment().getRequiredProperty("local.server.port"));
    worker =
        new SpringApplicationBuilder(ConveyorWorkerApplication.class)
            .initializers(TraceCapture.into(WORKER_SPANS))
            .run(
                concat(
                    TraceCapture.on(COLLECTOR),
                    "--spring.config.location=" + configOf(ConveyorWorkerApplication.class),
                    "--server.port=0",
                    "--spring.datasource.url=" + db.url(),
                    "--spring.datasource.username=" + db.user(),
                    "--spring.datasource.password=" + db.password(),
                    "--conveyor.worker-service.api-base-url=http://localhost:" + apiPort,
                    "--conveyor.worker-service.callback-secret=" + SECRET,
                    "--conveyor.worker-service.progress-interval=50ms",
                    "--conveyor.worker-service.fetch-size=500",
                    // The client webhook test's receiver is on loopback.
                    "--conveyor.worker-service.webhooks.allow-private-addresses=true",
                    "--conveyor.worker.fetch.poll-interval=200ms",
                    "--spring.autoconfigure.exclude=" + Apps.API_SECURITY_AUTOCONFIGURATION));
    // A registrar without a county scope: it imports voters (voterImport) and reads its reports.
    ApiKeys.CreatedKey client =
        api.getBean(ApiKeys.class).create("e2e-" + System.nanoTime(), Role.REGISTRAR);
    apiKey = client.key().reveal();
    webhookSecret = client.webhookSecret().reveal();
    clientId = client.caller().clientId();
  }

  @AfterAll
  static void stop() {
    if (worker != null) {
      worker.close();
    }
    if (api != null) {
      api.close();
    }
    COLLECTOR.close();
  }

  private static String[] concat(String[] first, String... rest) {
    return java.util.stream.Stream.concat(
            java.util.stream.Stream.of(first), java.util.stream.Stream.of(rest))
        .toArray(String[]::new);
  }

  static String configOf(Class<?> application) {
    URI base =
        URI.create(
            application.getProtectionDomain().getCodeSource().getLocation().toExternalForm());
    String location = base.toString();
    return location.endsWith(".jar")
        ? "jar:" + location + "!/application.yml"
        : location + (location.endsWith("/") ? "" : "/") + "application.yml";
  }

  @Test
  void voterListCsvIsGeneratedStoredAndDownloadable() {
    String county = "Kings";
    voter(county, 12, 3, "DEM", "ACTIVE", "Zimmerman", "Ann");
    voter(county, 12, 1, "DEM", "ACTIVE", "O'Hara, Jr.", "Liam \"Bud\"");
    voter(county, 10, 7, "DEM", "ACTIVE", "Young", "Bo");
    voter(county, 12, 1, "DEM", "ACTIVE", "Adams", "Cy");
    voter(county, 12, 1, "REP", "ACTIVE", "Brown", "Di"); // another party
    voter(county, 12, 1, "DEM", "PURGED", "Clark", "Ed"); // another status
    voter("Queens", 12, 1, "DEM", "ACTIVE", "Elsewhere", "Flo"); // another county

    String reportId =
        submit(
            "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":"
                + "{\"county\":\"Kings\",\"party\":\"DEM\",\"status\":\"ACTIVE\"}}");
    JsonNode report = awaitFinal(reportId);

    assertThat(report.get("status").asString()).isEqualTo("COMPLETED");
    assertThat(report.get("progress").asInt()).isEqualTo(100);
    JsonNode artifact = report.get("artifact");
    assertThat(artifact.get("contentType").asString()).startsWith("text/csv");
    HttpResponse<byte[]> file = download(reportId);
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(sha256(file.body())).isEqualTo(artifact.get("sha256").asString());
    assertThat((long) file.body().length).isEqualTo(artifact.get("sizeBytes").asLong());

    List<List<String>> rows = TestFiles.parseCsv(new String(file.body(), StandardCharsets.UTF_8));
    assertThat(rows.getFirst()).startsWith("State Voter ID", "Last Name", "First Name");
    // Sorted by assembly district, election district, then last name.
    assertThat(rows.subList(1, rows.size()))
        .extracting(r -> r.get(1) + "/" + r.get(2) + "/" + r.get(10) + "/" + r.get(11))
        .containsExactly(
            "Young/Bo/10/7",
            "Adams/Cy/12/1",
            "O'Hara, Jr./Liam \"Bud\"/12/1",
            "Zimmerman/Ann/12/3");
    assertThat(rows.get(1).get(5)).isEqualTo("1970-01-01");

    // The durable report.completed callback: a callback.deliver job carrying the signed body.
    JsonNode event =
        JSON.readTree(
            jdbc.sql(
                    """
                    SELECT payload::text FROM conveyor.queue_job
                    WHERE kind = 'callback.deliver' AND payload ->> 'reportId' = :id
                      AND payload ->> 'type' = 'report.completed'
                    """)
                .param("id", reportId)
                .query(String.class)
                .single());
    var job =
        jdbc.sql(
                "SELECT id, attempt, lease_token::text AS token, state FROM conveyor.queue_job"
                    + " WHERE id = (SELECT job_id FROM reports WHERE id = CAST(:id AS uuid))")
            .param("id", reportId)
            .query()
            .singleRow();
    assertThat(job.get("state")).isEqualTo("completed");
    assertThat(event.get("id").asString()).startsWith("evt_");
    assertThat(event.get("jobId").asLong()).isEqualTo(((Number) job.get("id")).longValue());
    assertThat(event.get("attempt").asInt()).isEqualTo(((Number) job.get("attempt")).intValue());
    assertThat(event.get("leaseToken").asString()).isEqualTo(job.get("token"));
    assertThat(event.get("occurredAt").asString()).isNotBlank();
    assertThat(event.get("artifact").get("id").asString())
        .isEqualTo(
            jdbc.sql("SELECT artifact_id::text FROM reports WHERE id = CAST(:id AS uuid)")
                .param("id", reportId)
                .query(String.class)
                .single());
    assertThat(event.get("artifact").get("sha256").asString())
        .isEqualTo(artifact.get("sha256").asString());
    assertThat(event.get("artifact").get("sizeBytes").asLong())
        .isEqualTo(artifact.get("sizeBytes").asLong());
    assertThat(event.get("artifact").get("filename").asString())
        .isEqualTo("voter-list-" + reportId + ".csv");
  }

  /**
   * Every series the Grafana dashboard and the Prometheus rules (deploy/observability/) select is
   * exported by the running services once one report went through: no panel stays empty and no
   * alert waits on a name that does not exist. Meters that count rare events (discards, rejected
   * callbacks, reports settled) are registered at zero, so they are here without the event.
   */
  @Test
  void dashboardAndAlertRulesUseOnlySeriesTheServicesExport() {
    voter("Kings", 12, 1, "DEM", "ACTIVE", "Metrics", "Mo");
    JsonNode report =
        awaitFinal(
            submit(
                "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":"
                    + "{\"county\":\"Kings\"}}"));
    assertThat(report.get("status").asString()).isEqualTo("COMPLETED");

    java.util.Set<String> used = new java.util.TreeSet<>();
    ObservabilityFiles.dashboardExpressions()
        .forEach(e -> used.addAll(ObservabilityFiles.metricNames(e)));
    ObservabilityFiles.ruleExpressions()
        .forEach(e -> used.addAll(ObservabilityFiles.metricNames(e)));
    used.removeAll(ObservabilityFiles.recordedNames());
    assertThat(used)
        .contains(
            "conveyor_queue_depth",
            "conveyor_job_wait_seconds_bucket",
            "conveyor_worker_slots",
            "conveyor_report_duration_seconds_bucket",
            "conveyor_callback_rejected_total",
            "http_server_requests_seconds_bucket",
            "hikaricp_connections_pending");

    int workerPort = Apps.port(worker);
    // The worker records a job's execution just after its completion commits, which the API may
    // show first: wait for the scrape to catch up.
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              java.util.Set<String> exported = new java.util.HashSet<>();
              exported.addAll(ObservabilityFiles.exposedNames(scrape(apiPort)));
              exported.addAll(ObservabilityFiles.exposedNames(scrape(workerPort)));
              assertThat(used.stream().filter(n -> !exported.contains(n)).toList())
                  .as("series the dashboard or the rules use that neither service exports")
                  .isEmpty();
            });
  }

  private static String scrape(int port) {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/prometheus"))
                .timeout(Duration.ofSeconds(30))
                .GET(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  @Test
  void voterListXlsxIsGeneratedAndReadable() throws IOException {
    voter("Richmond", 61, 2, "REP", "ACTIVE", "Baker", "Gus");
    voter("Richmond", 61, 1, "REP", "INACTIVE", "Able", "Hal");
    voter("Richmond", 62, 1, "REP", "ACTIVE", "Cole", "Ivy"); // another assembly district

    String reportId =
        submit(
            "{\"type\":\"voterList\",\"format\":\"XLSX\",\"parameters\":"
                + "{\"county\":\"Richmond\",\"assemblyDistrict\":61}}");
    JsonNode report = awaitFinal(reportId);

    assertThat(report.get("status").asString()).isEqualTo("COMPLETED");
    HttpResponse<byte[]> file = download(reportId);
    assertThat(file.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assertThat(sha256(file.body())).isEqualTo(report.get("artifact").get("sha256").asString());
    try (ReadableWorkbook workbook = new ReadableWorkbook(new ByteArrayInputStream(file.body()))) {
      Sheet sheet = workbook.getFirstSheet();
      List<Row> rows = sheet.read();
      assertThat(rows).hasSize(3);
      assertThat(rows.get(0).getCellText(1)).isEqualTo("Last Name");
      assertThat(rows.get(1).getCellText(1)).isEqualTo("Able");
      assertThat(rows.get(2).getCellText(1)).isEqualTo("Baker");
      assertThat(rows.get(1).getCellAsNumber(10).orElseThrow().intValue()).isEqualTo(61);
      assertThat(rows.get(1).getCellAsDate(5).orElseThrow().toLocalDate())
          .isEqualTo(LocalDate.of(1970, 1, 1));
    }
  }

  @Test
  void largeVoterListIsStreamedInChunksAndCompletes() throws IOException {
    int voters = 30_000;
    manyVoters("Bronx", voters);

    String csvId =
        submit("{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":{\"county\":\"Bronx\"}}");
    String xlsxId =
        submit(
            "{\"type\":\"voterList\",\"format\":\"XLSX\",\"parameters\":"
                + "{\"county\":\"Bronx\",\"assemblyDistrict\":80}}");
    JsonNode csvReport = awaitFinal(csvId);
    JsonNode xlsxReport = awaitFinal(xlsxId);

    assertThat(csvReport.get("status").asString()).isEqualTo("COMPLETED");
    long size = csvReport.get("artifact").get("sizeBytes").asLong();
    assertThat(size).isGreaterThan(2L * 1024 * 1024); // several chunks
    HttpResponse<byte[]> csv = download(csvId);
    assertThat(sha256(csv.body())).isEqualTo(csvReport.get("artifact").get("sha256").asString());
    List<List<String>> rows = TestFiles.parseCsv(new String(csv.body(), StandardCharsets.UTF_8));
    assertThat(rows).hasSize(voters + 1);
    List<String> order =
        rows.subList(1, rows.size()).stream()
            .map(
                r ->
                    "%03d/%03d/%s"
                        .formatted(
                            Integer.parseInt(r.get(10)), Integer.parseInt(r.get(11)), r.get(1)))
            .toList();
    assertThat(order).isSorted();

    assertThat(xlsxReport.get("status").asString()).isEqualTo("COMPLETED");
    try (ReadableWorkbook workbook =
        new ReadableWorkbook(new ByteArrayInputStream(download(xlsxId).body()))) {
      List<Row> sheet = workbook.getFirstSheet().read();
      long expected =
          jdbc.sql("SELECT count(*) FROM voters WHERE county = 'Bronx' AND assembly_district = 80")
              .query(Long.class)
              .single();
      assertThat(expected).isGreaterThan(1_000);
      assertThat(sheet).hasSize((int) expected + 1);
    }
  }

  @Test
  void aRunningReportThatIsCancelledEndsCancelledWithoutAFile() {
    manyVoters("Cattaraugus", 50_000);
    TransactionTemplate tx =
        new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));
    String reportId =
        tx.execute(
            status -> {
              // Holds the worker at the first chunk of the file (SHARE blocks inserts until this
              // transaction ends), so the report is certainly running when it is cancelled.
              jdbc.sql("LOCK TABLE artifact_chunks IN SHARE MODE").update();
              String id =
                  submit(
                      "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":"
                          + "{\"county\":\"Cattaraugus\"}}");
              await()
                  .atMost(Duration.ofSeconds(60))
                  .pollInterval(Duration.ofMillis(50))
                  .until(
                      () ->
                          workerWaitsForTheChunkLock()
                              && JSON.readTree(get("/api/reports/" + id))
                                  .get("status")
                                  .asString()
                                  .equals("PROCESSING"));
              post("/api/reports/" + id + "/cancel", "application/json", new byte[0], 202);
              return id;
            });
    // The lock is gone with the commit: the worker writes on, sees the cancellation, rolls back.
    JsonNode report = awaitFinal(reportId);

    assertThat(report.get("status").asString()).as(report.toString()).isEqualTo("CANCELLED");
    assertThat(report.has("artifact") && !report.get("artifact").isNull()).isFalse();
    assertThat(
            jdbc.sql("SELECT count(*) FROM artifacts WHERE filename LIKE :name")
                .param("name", "%" + reportId + "%")
                .query(Long.class)
                .single())
        .as("the attempt's partial file was rolled back")
        .isZero();
    assertThat(
            jdbc.sql(
                    "SELECT state FROM conveyor.queue_job WHERE kind = 'report.generate'"
                        + " AND unique_key = :id")
                .param("id", reportId)
                .query(String.class)
                .single())
        .isEqualTo("cancelled");
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

  @Test
  void clientWebhookIsDeliveredSignedWhenTheReportCompletes() throws Exception {
    voter("Nassau", 9, 1, "WOR", "ACTIVE", "Hook", "Web");
    List<HttpExchangeCopy> hooks = new java.util.concurrent.CopyOnWriteArrayList<>();
    com.sun.net.httpserver.HttpServer client =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    client.createContext(
        "/",
        exchange -> {
          hooks.add(
              new HttpExchangeCopy(
                  exchange.getRequestHeaders().getFirst("webhook-id"),
                  exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                  exchange.getRequestHeaders().getFirst("webhook-signature"),
                  exchange.getRequestBody().readAllBytes()));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    client.start();
    try {
      String reportId =
          submit(
              "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":"
                  + "{\"county\":\"Nassau\"},\"callbackUrl\":\"http://127.0.0.1:"
                  + client.getAddress().getPort()
                  + "/hooks\"}");

      await().atMost(Duration.ofSeconds(30)).until(() -> !hooks.isEmpty());

      HttpExchangeCopy hook = hooks.getFirst();
      JsonNode body = JSON.readTree(hook.body());
      assertThat(body.get("type").asString()).isEqualTo("report.completed");
      assertThat(body.get("reportId").asString()).isEqualTo(reportId);
      byte[] key = java.util.Base64.getDecoder().decode(webhookSecret.substring("whsec_".length()));
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
      mac.update((hook.id() + "." + hook.timestamp() + ".").getBytes(StandardCharsets.UTF_8));
      assertThat(hook.signature())
          .isEqualTo(
              "v1," + java.util.Base64.getEncoder().encodeToString(mac.doFinal(hook.body())));
    } finally {
      client.stop(0);
    }
  }

  record HttpExchangeCopy(String id, String timestamp, String signature, byte[] body) {}

  @Test
  void unusableParametersFailTheReportAtOnce() {
    // Written around the API's validation, as another producer or an older release could.
    String reportId = insertReport("{\"county\":\"Kings\",\"assemblyDistrict\":99999}");
    JsonNode report = awaitFinal(reportId);

    assertThat(report.get("status").asString()).isEqualTo("FAILED");
    assertThat(report.get("error").get("code").asString()).isEqualTo("INVALID_PARAMETERS");
    assertThat(report.get("error").get("message").asString()).contains("assemblyDistrict");
    assertThat(report.get("attempts").asInt()).isEqualTo(1);
  }

  /** A report row and its job in one transaction, as the API writes them. */
  private String insertReport(String parameters) {
    UUID id = UUID.randomUUID();
    new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()))
        .executeWithoutResult(
            status -> {
              long jobId =
                  jdbc.sql(
                          """
                          SELECT (conveyor.enqueue(kind => 'report.generate',
                                                   payload => CAST(:payload AS jsonb),
                                                   queue => 'reports', max_attempts => 5)).id
                          """)
                      .param("payload", "{\"reportId\":\"" + id + "\"}")
                      .query(Long.class)
                      .single();
              jdbc.sql(
                      """
                      INSERT INTO reports (id, owner_id, type, format, parameters,
                                           request_fingerprint, job_id)
                      VALUES (:id, :owner, 'voterList', 'CSV', CAST(:parameters AS jsonb),
                              repeat('a', 64), :jobId)
                      """)
                  .param("id", id)
                  .param("owner", clientId)
                  .param("parameters", parameters)
                  .param("jobId", jobId)
                  .update();
            });
    return id.toString();
  }

  @Test
  void voterImportUploadedOverHttpIsImportedAndSummarised() throws IOException {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    VoterCsv written = SampleRegistry.writeVoterCsv(file, "Albany", 500, 10, System.nanoTime());
    String uploadId = upload(file.toByteArray());

    String reportId = submitImport(uploadId, "Albany");
    JsonNode report = awaitFinal(reportId);

    assertThat(report.get("status").asString()).as(report.toString()).isEqualTo("COMPLETED");
    HttpResponse<byte[]> summary = download(reportId);
    assertThat(sha256(summary.body())).isEqualTo(report.get("artifact").get("sha256").asString());
    List<List<String>> rows =
        TestFiles.parseCsv(new String(summary.body(), StandardCharsets.UTF_8));
    assertThat(rows.get(0))
        .containsExactly("Rows Read", "Inserted", "Updated", "Unchanged", "Rejected");
    assertThat(rows.get(1)).containsExactly("500", "490", "0", "0", "10");
    assertThat(rows.subList(4, rows.size()))
        .extracting(r -> Integer.parseInt(r.get(0)))
        .containsExactlyElementsOf(written.badRows().stream().map(VoterCsv.BadRow::line).toList());
    List<String> ids =
        TestFiles.parseCsv(file.toString(StandardCharsets.UTF_8)).stream()
            .skip(1)
            .map(r -> r.get(0))
            .toList();
    assertThat(
            jdbc.sql(
                    "SELECT count(*) FROM voters WHERE county = 'Albany' AND state_voter_id = ANY (:ids)")
                .param("ids", ids.toArray(String[]::new))
                .query(Long.class)
                .single())
        .isEqualTo(490);
  }

  /**
   * Issue 15.2 over HTTP: a client key may not import; a registrar scoped to Albany (created by an
   * admin over the API) imports Albany rows but can neither move a Kings voter nor create one; an
   * unscoped registrar can move it; each committed import is in the admin's audit list with its
   * counts and the file's SHA-256, which client keys cannot read.
   */
  @Test
  void registryWritesNeedARegistrarKeyAndStayInItsCountiesAndAreAudited() {
    ApiKeys keys = api.getBean(ApiKeys.class);
    String admin = keys.create("e2e-admin-" + System.nanoTime(), Role.ADMIN).key().reveal();
    String client = keys.create("e2e-client-" + System.nanoTime(), Role.CLIENT).key().reveal();
    HttpResponse<String> created =
        exchange(
            admin,
            "POST",
            "/api/admin/api-keys",
            "application/json",
            ("{\"name\":\"e2e-albany-"
                    + System.nanoTime()
                    + "\",\"role\":\"registrar\",\"counties\":[\"albany\"]}")
                .getBytes(StandardCharsets.UTF_8));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode albanyKey = JSON.readTree(created.body());
    assertThat(albanyKey.get("counties").toString()).isEqualTo("[\"Albany\"]");
    String albany = albanyKey.get("key").asString();
    // In a party, status and district that the other tests' Kings reports do not list.
    String kingsVoter = "NYK" + System.nanoTime();
    jdbc.sql(
            """
            INSERT INTO voters (state_voter_id, first_name, last_name, date_of_birth,
                                street_address, city, zip_code, county, assembly_district,
                                election_district, party, status, registration_date)
            VALUES (:id, 'Kim', 'Kingsley', DATE '1970-01-01', '1 Court St', 'Brooklyn', '11201',
                    'Kings', 150, 1, 'CON', 'INACTIVE', DATE '2000-01-01')
            """)
        .param("id", kingsVoter)
        .update();
    String newAlbany = "NYA" + System.nanoTime();
    byte[] albanyFile =
        voterFile(voterRow(newAlbany, "Albany", 108), voterRow(kingsVoter, "Albany", 108));

    // A client key: 403 problem, nothing submitted.
    HttpResponse<String> refused =
        exchange(
            client,
            "POST",
            "/api/reports",
            "application/json",
            importBody(client, albanyFile, "Albany"));
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
    assertThat(refused.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");

    // The Albany registrar: its Albany row imports, the Kings voter is neither moved...
    String scopedReport = submitAs(albany, importBody(albany, albanyFile, "Albany"));
    assertThat(awaitFinal(albany, scopedReport).get("status").asString()).isEqualTo("COMPLETED");
    List<List<String>> summary = TestFiles.parseCsv(downloadAs(albany, scopedReport));
    assertThat(summary.get(1)).containsExactly("2", "1", "0", "0", "1");
    assertThat(summary.get(4).subList(0, 3))
        .containsExactly(
            "3",
            "State Voter ID is a voter of Kings, outside the counties of this key (Albany)",
            kingsVoter);
    assertThat(countyOf(kingsVoter)).isEqualTo("Kings");
    assertThat(countyOf(newAlbany)).isEqualTo("Albany");
    // ... nor created in Kings: refused at submission, 403 naming the county.
    String newKings = "NYK" + System.nanoTime();
    HttpResponse<String> outside =
        exchange(
            albany,
            "POST",
            "/api/reports",
            "application/json",
            importBody(albany, voterFile(voterRow(newKings, "Kings", 41)), "Kings"));
    assertThat(outside.statusCode()).as(outside.body()).isEqualTo(403);
    assertThat(JSON.readTree(outside.body()).get("errors").findValuesAsString("field"))
        .containsExactly("parameters.county");
    assertThat(countyOf(newKings)).isNull();

    // The unscoped registrar moves the Kings voter.
    byte[] moveFile = voterFile(voterRow(kingsVoter, "Albany", 108));
    String unscopedReport = submitAs(apiKey, importBody(apiKey, moveFile, "Albany"));
    assertThat(awaitFinal(apiKey, unscopedReport).get("status").asString()).isEqualTo("COMPLETED");
    assertThat(TestFiles.parseCsv(downloadAs(apiKey, unscopedReport)).get(1))
        .containsExactly("1", "0", "1", "0", "0");
    assertThat(countyOf(kingsVoter)).isEqualTo("Albany");

    // The audit, newest first, for admins only.
    HttpResponse<String> list =
        exchange(admin, "GET", "/api/admin/registry-imports?limit=500", null, null);
    assertThat(list.statusCode()).isEqualTo(200);
    List<String> reportIds = JSON.readTree(list.body()).get("items").findValuesAsString("reportId");
    assertThat(reportIds.indexOf(unscopedReport))
        .isNotNegative()
        .isLessThan(reportIds.indexOf(scopedReport));
    JsonNode scoped = auditRow(list, scopedReport);
    assertThat(scoped.get("clientId").asLong()).isEqualTo(albanyKey.get("clientId").asLong());
    assertThat(scoped.get("counties").toString()).isEqualTo("[\"Albany\"]");
    assertThat(scoped.get("uploadSha256").asString()).isEqualTo(sha256(albanyFile));
    assertThat(
            List.of(
                scoped.get("rowsRead").asLong(),
                scoped.get("inserted").asLong(),
                scoped.get("updated").asLong(),
                scoped.get("unchanged").asLong(),
                scoped.get("rejected").asLong()))
        .containsExactly(2L, 1L, 0L, 0L, 1L);
    JsonNode unscoped = auditRow(list, unscopedReport);
    assertThat(unscoped.get("clientId").asLong()).isEqualTo(clientId);
    assertThat(unscoped.get("counties").isNull()).isTrue();
    assertThat(unscoped.get("updated").asLong()).isEqualTo(1);
    assertThat(unscoped.get("uploadSha256").asString()).isEqualTo(sha256(moveFile));
    for (String notAdmin : List.of(client, albany)) {
      HttpResponse<String> forbidden =
          exchange(notAdmin, "GET", "/api/admin/registry-imports", null, null);
      assertThat(forbidden.statusCode()).isEqualTo(403);
      assertThat(forbidden.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/problem+json");
    }
  }

  private @org.jspecify.annotations.Nullable String countyOf(String stateVoterId) {
    return jdbc.sql("SELECT county FROM voters WHERE state_voter_id = :id")
        .param("id", stateVoterId)
        .query(String.class)
        .optional()
        .orElse(null);
  }

  private static JsonNode auditRow(HttpResponse<String> list, String reportId) {
    for (JsonNode item : JSON.readTree(list.body()).get("items")) {
      if (item.get("reportId").asString().equals(reportId)) {
        return item;
      }
    }
    throw new AssertionError("no audit row for report " + reportId + ": " + list.body());
  }

  private static String voterRow(String stateVoterId, String county, int assemblyDistrict) {
    return stateVoterId
        + ",Doe,Jo,,,1980-02-29,12 Main St,Town,12202,"
        + county
        + ","
        + assemblyDistrict
        + ",4,DEM,ACTIVE,2001-05-06";
  }

  private static byte[] voterFile(String... rows) {
    return ("State Voter ID,Last Name,First Name,Middle Name,Suffix,Date of Birth,Street Address,"
            + "City,ZIP Code,County,Assembly District,Election District,Party,Status,"
            + "Registration Date\r\n"
            + String.join("\r\n", rows)
            + "\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Uploads {@code file} as {@code key}'s and returns a voterImport request body for it. */
  private static byte[] importBody(String key, byte[] file, String county) {
    HttpResponse<String> upload =
        exchange(key, "POST", "/api/uploads?filename=voters.csv", "text/csv", file);
    assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
    return ("{\"type\":\"voterImport\",\"format\":\"CSV\",\"parameters\":{\"uploadId\":\""
            + JSON.readTree(upload.body()).get("uploadId").asString()
            + "\",\"county\":\""
            + county
            + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String submitAs(String key, byte[] body) {
    HttpResponse<String> r = exchange(key, "POST", "/api/reports", "application/json", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return JSON.readTree(r.body()).get("reportId").asString();
  }

  private static JsonNode awaitFinal(String key, String reportId) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                JSON.readTree(exchange(key, "GET", "/api/reports/" + reportId, null, null).body()),
            r -> List.of("COMPLETED", "FAILED", "CANCELLED").contains(r.get("status").asString()));
  }

  private static String downloadAs(String key, String reportId) {
    return exchange(key, "GET", "/api/reports/" + reportId + "/artifact", null, null).body();
  }

  private static HttpResponse<String> exchange(
      String key,
      String method,
      String path,
      @org.jspecify.annotations.Nullable String contentType,
      byte @org.jspecify.annotations.Nullable [] body) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create("http://localhost:" + apiPort + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + key)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      builder.header("Content-Type", contentType);
    }
    return send(builder, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  @Test
  void voterImportOfAFileThatIsNoVoterFileFails() {
    String uploadId = upload("just,some\r\ncsv,text\r\n".getBytes(StandardCharsets.UTF_8));

    String reportId = submitImport(uploadId, "Albany");
    JsonNode report = awaitFinal(reportId);

    assertThat(report.get("status").asString()).isEqualTo("FAILED");
    assertThat(report.get("error").get("code").asString()).isEqualTo("INVALID_UPLOAD");
    assertThat(report.get("error").get("message").asString()).contains("header");
  }

  @Test
  void absenteeReportCsvHasTheSummaryThenTheApplications() {
    absenteeApplications("Suffolk");

    String reportId =
        submit(
            "{\"type\":\"absenteeReport\",\"format\":\"CSV\",\"parameters\":"
                + "{\"county\":\"Suffolk\",\"electionDate\":\"2026-11-03\"}}");
    JsonNode report = awaitFinal(reportId);

    assertThat(report.get("status").asString()).isEqualTo("COMPLETED");
    HttpResponse<byte[]> file = download(reportId);
    assertThat(file.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
    List<List<String>> rows = TestFiles.parseCsv(new String(file.body(), StandardCharsets.UTF_8));
    assertThat(rows.subList(0, 5))
        .containsExactly(
            List.of(
                "Assembly District",
                "Election District",
                "Requested",
                "Sent",
                "Returned",
                "Accepted",
                "Rejected",
                "Cancelled",
                "Total"),
            List.of("1", "1", "1", "0", "0", "1", "0", "0", "2"),
            List.of("1", "2", "0", "1", "0", "0", "0", "0", "1"),
            List.of("Total", "", "1", "1", "0", "1", "0", "0", "3"),
            List.of(""));
    assertThat(rows.get(5).getFirst()).isEqualTo("State Voter ID");
    assertThat(rows.subList(6, rows.size()))
        .extracting(r -> r.get(1) + "/" + r.get(8))
        .containsExactly("Ames/REQUESTED", "Burr/ACCEPTED", "Cruz/SENT");
  }

  @Test
  void absenteeReportXlsxHasASummarySheetAndAnApplicationsSheet() {
    absenteeApplications("Ulster");

    String reportId =
        submit(
            "{\"type\":\"absenteeReport\",\"format\":\"XLSX\",\"parameters\":"
                + "{\"county\":\"Ulster\",\"electionDate\":\"2026-11-03\","
                + "\"status\":\"ACCEPTED\"}}");
    JsonNode report = awaitFinal(reportId);

    assertThat(report.get("status").asString()).isEqualTo("COMPLETED");
    Map<String, List<Row>> sheets = TestFiles.xlsxSheets(download(reportId).body());
    assertThat(sheets.keySet()).containsExactly("Summary", "Applications");
    List<Row> summary = sheets.get("Summary");
    assertThat(summary.getFirst().getCellText(2)).isEqualTo("Accepted");
    assertThat(summary).hasSize(3); // header, ED 1, Total
    assertThat(summary.get(1).getCellAsNumber(2).orElseThrow().intValue()).isEqualTo(1);
    List<Row> applications = sheets.get("Applications");
    assertThat(applications).hasSize(2);
    assertThat(applications.get(1).getCellText(1)).isEqualTo("Burr");
    assertThat(applications.get(1).getCellAsDate(7).orElseThrow().toLocalDate())
        .isEqualTo(LocalDate.of(2026, 10, 20));
  }

  /** Suffolk-like county, election 2026-11-03: AD 1 ED 1 requested + accepted, ED 2 sent. */
  private void absenteeApplications(String county) {
    long ames = voter(county, 1, 1, "DEM", "ACTIVE", "Ames", "Al");
    long burr = voter(county, 1, 1, "REP", "ACTIVE", "Burr", "Bo");
    long cruz = voter(county, 1, 2, "DEM", "ACTIVE", "Cruz", "Cy");
    voter(county, 1, 2, "DEM", "ACTIVE", "Dunn", "Di"); // no application
    jdbc.sql(
            """
            INSERT INTO absentee_applications (voter_id, election_date, requested_on, sent_on,
                                               returned_on, status)
            VALUES (:ames, DATE '2026-11-03', DATE '2026-10-01', NULL, NULL, 'REQUESTED'),
                   (:burr, DATE '2026-11-03', DATE '2026-10-01', DATE '2026-10-05',
                    DATE '2026-10-20', 'ACCEPTED'),
                   (:cruz, DATE '2026-11-03', DATE '2026-10-02', DATE '2026-10-06', NULL, 'SENT'),
                   (:cruz, DATE '2025-11-04', DATE '2025-10-02', NULL, NULL, 'REQUESTED')
            """)
        .param("ames", ames)
        .param("burr", burr)
        .param("cruz", cruz)
        .update();
  }

  @Test
  void ldCommitteesPdfAndXlsxListMembersWithVacancies() {
    long chair = voter("Erie", 140, 1, "DEM", "ACTIVE", "Marsh", "Kim");
    voter("Erie", 140, 2, "REP", "ACTIVE", "Nolan", "Lou");
    jdbc.sql(
            """
            INSERT INTO county_committee_members (county, assembly_district, election_district,
                                                  party, name, role, voter_id)
            VALUES ('Erie', 140, 1, 'DEM', 'Kim Marsh', 'CHAIR', :chair),
                   ('Erie', 140, 1, 'DEM', 'Joe Pratt', 'MEMBER', NULL),
                   ('Erie', 140, 2, 'DEM', 'Ann Quinn', 'MEMBER', NULL),
                   ('Erie', 140, 2, 'REP', 'Rex Other', 'MEMBER', NULL)
            """)
        .param("chair", chair)
        .update();
    String parameters = "{\"county\":\"Erie\",\"assemblyDistrict\":140,\"party\":\"DEM\"}";

    String pdfId =
        submit("{\"type\":\"ldCommittees\",\"format\":\"PDF\",\"parameters\":" + parameters + "}");
    String xlsxId =
        submit("{\"type\":\"ldCommittees\",\"format\":\"XLSX\",\"parameters\":" + parameters + "}");
    JsonNode pdfReport = awaitFinal(pdfId);
    JsonNode xlsxReport = awaitFinal(xlsxId);

    assertThat(pdfReport.get("status").asString()).isEqualTo("COMPLETED");
    HttpResponse<byte[]> pdf = download(pdfId);
    assertThat(pdf.headers().firstValue("Content-Type").orElse("")).startsWith("application/pdf");
    assertThat(sha256(pdf.body())).isEqualTo(pdfReport.get("artifact").get("sha256").asString());
    List<String> pages = TestFiles.pdfPages(pdf.body());
    assertThat(pages).hasSize(1);
    assertThat(pages.getFirst())
        .contains("County Committee, Democratic Party")
        .contains("Erie County, Assembly District 140")
        .containsSubsequence("Kim Marsh", "1 Main St", "Joe Pratt", "Ann Quinn", "VACANCY")
        .doesNotContain("Rex Other");

    assertThat(xlsxReport.get("status").asString()).isEqualTo("COMPLETED");
    List<Row> rows = TestFiles.xlsxSheets(download(xlsxId).body()).get("AD 140 DEM");
    assertThat(rows.subList(1, rows.size()))
        .extracting(
            r ->
                r.getCellText(0)
                    + "|"
                    + r.getCellText(1)
                    + "|"
                    + r.getCellText(2)
                    + "|"
                    + r.getCellText(3))
        .containsExactly(
            "1|1|Chair|Kim Marsh", "1|2|Member|Joe Pratt", "2|1|Member|Ann Quinn", "2|2||VACANCY");
  }

  @Test
  void designatedPetitionPdfHasTenPrefilledLinesPerSheet() {
    // A county no other test writes voters into (the tests share one database).
    for (int i = 1; i <= 12; i++) {
      voter("Tompkins", 125, 1 + i % 2, "CON", "ACTIVE", "Signer%02d".formatted(i), "Sue");
    }
    voter("Tompkins", 125, 1, "CON", "INACTIVE", "Dormant", "Dan");

    String reportId =
        submit(
            """
            {"type":"designatedPetition","format":"PDF","parameters":{"county":"Tompkins",\
            "assemblyDistrict":125,"party":"CON","office":"Member of Assembly",\
            "candidateName":"Rosa Vega","electionDate":"2026-06-23"}}""");
    JsonNode report = awaitFinal(reportId);

    assertThat(report.get("status").asString()).isEqualTo("COMPLETED");
    assertThat(report.get("artifact").get("contentType").asString()).startsWith("application/pdf");
    List<String> pages = TestFiles.pdfPages(download(reportId).body());
    assertThat(pages).hasSize(2);
    assertThat(pages)
        .allSatisfy(
            p ->
                assertThat(p)
                    .contains("DESIGNATING PETITION")
                    .contains("Conservative Party, Tompkins County, Assembly District 125")
                    .contains("Rosa Vega")
                    .contains("Member of Assembly")
                    .contains("June 23, 2026")
                    .contains("STATEMENT OF WITNESS")
                    .doesNotContain("Dormant"));
    assertThat(pages.get(0)).contains("Sheet 1 of 2");
    assertThat(pages.get(1)).contains("Sheet 2 of 2");
    java.util.function.Function<String, Long> signers =
        p ->
            p.lines()
                .filter(l -> l.matches("\\d+ Sue Signer\\d\\d 1 Main St, Brooklyn 11201 \\d"))
                .count();
    assertThat(signers.apply(pages.get(0))).isEqualTo(10);
    assertThat(signers.apply(pages.get(1))).isEqualTo(2);
  }

  private void manyVoters(String county, int count) {
    jdbc.sql(
            """
            INSERT INTO voters (state_voter_id, first_name, last_name, date_of_birth,
                                street_address, city, zip_code, county, assembly_district,
                                election_district, party, status, registration_date)
            SELECT :prefix || i, 'First' || i, 'Last' || md5(i::text), DATE '1960-01-01' + i % 9000,
                   i || ' Grand Concourse', 'Bronx', '10451', :county, 77 + i % 10,
                   1 + i % 40, 'DEM', 'ACTIVE', DATE '2000-01-01'
            FROM generate_series(1, :count) AS i
            """)
        .param("prefix", "BX" + System.nanoTime() + "-")
        .param("county", county)
        .param("count", count)
        .update();
  }

  private long voter(
      String county, int ad, int ed, String party, String status, String last, String first) {
    return jdbc.sql(
            """
            INSERT INTO voters (state_voter_id, first_name, last_name, date_of_birth,
                                street_address, city, zip_code, county, assembly_district,
                                election_district, party, status, registration_date)
            VALUES (:sboeid, :first, :last, DATE '1970-01-01', '1 Main St', 'Brooklyn',
                    '11201', :county, :ad, :ed, :party, :status, DATE '2000-01-01')
            RETURNING id
            """)
        .param("sboeid", "NY" + System.nanoTime() + "-" + VOTERS.incrementAndGet())
        .param("first", first)
        .param("last", last)
        .param("county", county)
        .param("ad", ad)
        .param("ed", ed)
        .param("party", party)
        .param("status", status)
        .query(Long.class)
        .single();
  }

  private static String submit(String body) {
    return post("/api/reports", "application/json", body.getBytes(StandardCharsets.UTF_8), 202)
        .get("reportId")
        .asString();
  }

  private static String submitImport(String uploadId, String county) {
    return submit(
        "{\"type\":\"voterImport\",\"format\":\"CSV\",\"parameters\":{\"uploadId\":\""
            + uploadId
            + "\",\"county\":\""
            + county
            + "\"}}");
  }

  /** Stores {@code file} as an upload of the test's client; its id. */
  private static String upload(byte[] file) {
    return post("/api/uploads?filename=voters.csv", "text/csv", file, 201)
        .get("uploadId")
        .asString();
  }

  private static JsonNode post(String path, String contentType, byte[] body, int expectedStatus) {
    HttpResponse<String> r =
        send(
            request(path)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(expectedStatus);
    return JSON.readTree(r.body());
  }

  private static JsonNode awaitFinal(String reportId) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> JSON.readTree(get("/api/reports/" + reportId)),
            r -> List.of("COMPLETED", "FAILED", "CANCELLED").contains(r.get("status").asString()));
  }

  private static String get(String path) {
    return send(request(path).GET(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static HttpResponse<byte[]> download(String reportId) {
    return send(
        request("/api/reports/" + reportId + "/artifact").GET(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://localhost:" + apiPort + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + apiKey);
  }

  static <T> HttpResponse<T> send(
      HttpRequest.Builder builder, HttpResponse.BodyHandler<T> handler) {
    try {
      return HTTP.send(builder.build(), handler);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Issue 19: one trace per report. Tracing is on in both applications ({@link TraceCapture}), as
   * one property turns it on in production.
   */
  @Nested
  class Tracing {

    @Test
    void oneConnectedTraceFollowsAReportFromSubmitToTheClientWebhook() throws Exception {
      voter("Suffolk", 2, 1, "DEM", "ACTIVE", "Trace", "Tess");
      String traceId = HexFormat.of().formatHex(randomBytes(16));
      String clientSpanId = HexFormat.of().formatHex(randomBytes(8));
      List<String> webhookTraceparents = new java.util.concurrent.CopyOnWriteArrayList<>();
      com.sun.net.httpserver.HttpServer client = webhookReceiver(webhookTraceparents);
      try {
        HttpResponse<String> submitted =
            send(
                request("/api/reports")
                    .header("Content-Type", "application/json")
                    .header("traceparent", "00-" + traceId + "-" + clientSpanId + "-01")
                    .header("tracestate", "client=e2e")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":"
                                + "{\"county\":\"Suffolk\"},\"callbackUrl\":\"http://127.0.0.1:"
                                + client.getAddress().getPort()
                                + "/hooks\"}")),
                HttpResponse.BodyHandlers.ofString());
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        String reportId = JSON.readTree(submitted.body()).get("reportId").asString();
        await().atMost(Duration.ofSeconds(30)).until(() -> !webhookTraceparents.isEmpty());
        Map<String, Object> job =
            jdbc.sql(
                    "SELECT j.id, j.attempt, j.run_at, j.started_at FROM conveyor.queue_job j"
                        + " JOIN reports r ON r.job_id = j.id WHERE r.id = CAST(:id AS uuid)")
                .param("id", reportId)
                .query()
                .singleRow();
        String jobId = String.valueOf(job.get("id"));
        String attempt = String.valueOf(job.get("attempt"));
        java.time.Instant runAt = ((java.sql.Timestamp) job.get("run_at")).toInstant();
        java.time.Instant startedAt = ((java.sql.Timestamp) job.get("started_at")).toInstant();

        // The client's webhook continues the client's own trace.
        assertThat(webhookTraceparents.getFirst()).startsWith("00-" + traceId + "-");

        // Spans are exported a moment after they end; the last is the webhook delivery's.
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  List<SpanData> spans = TraceCapture.trace(traceId, API_SPANS, WORKER_SPANS);
                  Set<String> ids =
                      spans.stream().map(SpanData::getSpanId).collect(Collectors.toSet());
                  // One tree: every span's parent is in the trace, or is the client's span.
                  assertThat(spans)
                      .allSatisfy(
                          span ->
                              assertThat(span.getParentSpanId())
                                  .as("parent of %s", span.getName())
                                  .isIn(withClient(ids, clientSpanId)));
                  assertThat(spans)
                      .extracting(SpanData::getName)
                      .contains(
                          "conveyor.job.enqueue",
                          "conveyor.job.wait",
                          "report.generate",
                          "callback.deliver",
                          "webhook.deliver");
                  // Both directions of HTTP: the submit and the worker's callback, in the API.
                  assertThat(spans)
                      .filteredOn(s -> s.getKind() == SpanKind.SERVER)
                      .extracting(s -> TraceCapture.attribute(s, "http.url"))
                      .contains("/api/reports", "/internal/report-events");
                  // The report id on the API's and the worker's spans.
                  assertThat(spans)
                      .filteredOn(
                          s -> reportId.equals(TraceCapture.attribute(s, "conveyor.report.id")))
                      .extracting(SpanData::getName)
                      .contains("report.generate", "callback.deliver", "webhook.deliver");
                  // The wait in the queue: run_at to the claim, to the microsecond the row holds.
                  SpanData wait =
                      spans.stream()
                          .filter(s -> s.getName().equals("conveyor.job.wait"))
                          .filter(s -> jobId.equals(TraceCapture.attribute(s, "conveyor.job.id")))
                          // The attempt whose run_at and started_at the row holds now.
                          .filter(
                              s ->
                                  attempt.equals(TraceCapture.attribute(s, "conveyor.job.attempt")))
                          .findFirst()
                          .orElseThrow(() -> new AssertionError("no wait span exported yet"));
                  assertThat(TraceCapture.attribute(wait, "conveyor.job.kind"))
                      .isEqualTo("report.generate");
                  assertThat(TraceCapture.attribute(wait, "conveyor.job.queue"))
                      .isEqualTo("reports");
                  assertThat(Duration.ofNanos(wait.getEndEpochNanos() - wait.getStartEpochNanos()))
                      .isEqualTo(Duration.between(runAt, startedAt));
                });
      } finally {
        client.stop(0);
      }
    }

    /** One property (the endpoint) and the spans of both services reach the collector. */
    @Test
    void bothServicesExportTheirSpansOverOtlpToTheConfiguredEndpoint() {
      // Spans of its own in both services, whichever test ran before.
      voter("Suffolk", 4, 1, "DEM", "ACTIVE", "Export", "Otto");
      String reportId =
          submit(
              "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":"
                  + "{\"county\":\"Suffolk\"}}");
      assertThat(awaitFinal(reportId).get("status").asString()).isEqualTo("COMPLETED");
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                assertThat(COLLECTOR.exports)
                    .extracting(TraceCapture.Collector.Export::contentType)
                    .contains("application/x-protobuf");
                // service.name, a resource attribute of every export: spring.application.name.
                assertThat(COLLECTOR.exports).anyMatch(e -> e.mentions("conveyor-api"));
                assertThat(COLLECTOR.exports).anyMatch(e -> e.mentions("conveyor-worker"));
              });
    }

    /**
     * W3C Trace Context: a receiver that cannot parse traceparent must ignore it (and tracestate)
     * and start a new trace; a malformed header is never an error of the request.
     */
    @Test
    void aMalformedTraceparentIsIgnoredAndTheReportStartsATraceOfItsOwn() {
      voter("Suffolk", 3, 1, "DEM", "ACTIVE", "Broken", "Bea");
      HttpResponse<String> submitted =
          send(
              request("/api/reports")
                  .header("Content-Type", "application/json")
                  .header("traceparent", "00-not-a-trace-id-01")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"type\":\"voterList\",\"format\":\"CSV\",\"parameters\":"
                              + "{\"county\":\"Suffolk\"}}")),
              HttpResponse.BodyHandlers.ofString());
      assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
      String reportId = JSON.readTree(submitted.body()).get("reportId").asString();
      assertThat(awaitFinal(reportId).get("status").asString()).isEqualTo("COMPLETED");

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                SpanData submit =
                    API_SPANS.getFinishedSpanItems().stream()
                        .filter(s -> s.getKind() == SpanKind.SERVER)
                        .filter(s -> "/api/reports".equals(TraceCapture.attribute(s, "http.url")))
                        .filter(
                            s -> reportId.equals(TraceCapture.attribute(s, "conveyor.report.id")))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no submit span exported yet"));
                assertThat(submit.getSpanContext().isValid()).isTrue();
                assertThat(submit.getParentSpanContext().isValid()).as("a new trace").isFalse();
                assertThat(
                        TraceCapture.trace(submit.getTraceId(), WORKER_SPANS).stream()
                            .map(SpanData::getName))
                    .contains("conveyor.job.wait", "report.generate");
              });
    }

    private com.sun.net.httpserver.HttpServer webhookReceiver(List<String> traceparents)
        throws IOException {
      com.sun.net.httpserver.HttpServer client =
          com.sun.net.httpserver.HttpServer.create(
              new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
      client.createContext(
          "/",
          exchange -> {
            exchange.getRequestBody().readAllBytes();
            traceparents.add(String.valueOf(exchange.getRequestHeaders().getFirst("traceparent")));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
          });
      client.start();
      return client;
    }
  }

  private static Set<String> withClient(Set<String> ids, String clientSpanId) {
    Set<String> all = new java.util.HashSet<>(ids);
    all.add(clientSpanId);
    return all;
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    new java.security.SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
