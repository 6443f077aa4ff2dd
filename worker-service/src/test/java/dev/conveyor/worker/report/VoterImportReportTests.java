package dev.conveyor.worker.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import dev.conveyor.contract.SqlFiles;
import dev.conveyor.queue.JobFailure;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.LeaseLostException;
import dev.conveyor.sampledata.SampleRegistry;
import dev.conveyor.sampledata.VoterCsv;
import dev.conveyor.sampledata.VoterCsv.BadRow;
import dev.conveyor.sampledata.VoterCsv.Defect;
import dev.conveyor.worker.callback.TestReportEvents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * voterImport through the real handler and database: good files, bad records with their reasons,
 * files that are no voter file, uploads that are not the owner's, and cancellation.
 */
class VoterImportReportTests {

  static final String COUNTY = "Monroe";

  final GenerateReportHandlerTests support = new GenerateReportHandlerTests();
  final JdbcClient jdbc = support.jdbc;
  final long owner = registrar(null);

  /** Staged records per slice of the upsert: small and odd, so files cross slice boundaries. */
  static final int SLICE = 97;

  /** Slices of this size for {@link #run}; the registrar scope tests apply one record a slice. */
  int sliceSize = SLICE;

  private GenerateReportHandler handler() {
    return handler(sliceSize, RegistryAccess.SliceObserver.NONE);
  }

  /** The handler with voterImport applying {@code sliceSize} records per slice. */
  GenerateReportHandler handler(int sliceSize, RegistryAccess.SliceObserver afterEachSlice) {
    return new GenerateReportHandler(
        new ReportRepository(jdbc),
        support.artifacts(),
        List.of(
            new VoterImportReport(
                new RegistryAccess(jdbc, support.json, 100, afterEachSlice),
                GenerateReportHandlerTests.db.dataSource(),
                Objects.requireNonNull(support.tx.getTransactionManager()),
                new ImportStagingRepository(jdbc),
                sliceSize)),
        TestReportEvents.create(
            support.properties,
            new JobQueue(GenerateReportHandlerTests.db.dataSource()),
            support.json),
        support.json,
        support.properties,
        support.meters);
  }

  @AfterEach
  void endJobs() {
    TestJobContext.endAll();
  }

  @Test
  void theVoterFileColumnsAreTheVoterListColumns() {
    assertThat(VoterCsv.HEADER).isEqualTo(VoterListReport.COLUMNS);
  }

  @Nested
  class GoodFile {

    @Test
    void importsEveryVoterAndSummarisesTheCounts() throws IOException {
      byte[] file = voterFile(300, 0, 11);
      UUID report = report(upload(owner, file, 4096));

      TestJobContext ctx = run(report);

      assertThat(ctx.completed).isTrue();
      List<List<String>> summary = summary(report);
      assertThat(summary.get(0)).isEqualTo(VoterImportReport.COUNT_COLUMNS);
      assertThat(summary.get(1)).containsExactly("300", "300", "0", "0", "0");
      assertThat(summary.get(2)).containsExactly("");
      assertThat(summary.get(3)).isEqualTo(VoterImportReport.REJECT_COLUMNS);
      assertThat(summary).hasSize(4);
      assertThat(votersOf(file)).isEqualTo(300);
      assertThat(ctx.progress).isSorted().contains(99);
    }

    @Test
    void importingAgainUpdatesOnlyWhatChanged() throws IOException {
      byte[] file = voterFile(200, 0, 12);
      UUID upload = upload(owner, file, 1 << 20);
      run(report(upload));
      jdbc.sql("UPDATE voters SET city = 'Elsewhere' WHERE state_voter_id = :id")
          .param("id", firstId(file))
          .update();

      UUID again = report(upload);
      run(again);

      assertThat(summary(again).get(1)).containsExactly("200", "0", "1", "199", "0");
      assertThat(
              jdbc.sql("SELECT city FROM voters WHERE state_voter_id = :id")
                  .param("id", firstId(file))
                  .query(String.class)
                  .single())
          .isNotEqualTo("Elsewhere");
    }

    @Test
    void aHeaderOnlyFileWithAByteOrderMarkCompletesWithNothingImported() {
      byte[] file =
          ("\uFEFF" + String.join(",", VoterListReport.COLUMNS).toUpperCase() + "\r\n")
              .getBytes(StandardCharsets.UTF_8);
      UUID report = report(upload(owner, file, 1024));

      TestJobContext ctx = run(report);

      assertThat(ctx.completed).isTrue();
      assertThat(summary(report).get(1)).containsExactly("0", "0", "0", "0", "0");
    }

    /** As R's write.csv or Python's QUOTE_ALL write it, after a byte order mark. */
    @Test
    void aByteOrderMarkBeforeAQuotedHeaderIsAllowed() {
      String id = "NYB" + System.nanoTime();
      String file =
          "\uFEFF"
              + String.join(",", VoterListReport.COLUMNS.stream().map(c -> '"' + c + '"').toList())
              + "\r\n\""
              + id
              + "\",\"Smith\",\"Ann\",\"\",\"\",\"1980-02-29\",\"12 Main St\",\"Rochester\","
              + "\"14604\",\""
              + COUNTY
              + "\",\"133\",\"4\",\"DEM\",\"ACTIVE\",\"2001-05-06\"\r\n";
      UUID report = report(upload(owner, file.getBytes(StandardCharsets.UTF_8), 1024));

      TestJobContext ctx = run(report);

      assertThat(ctx.completed).isTrue();
      assertThat(summary(report).get(1)).containsExactly("1", "1", "0", "0", "0");
    }

    @Test
    void readsTextSplitAcrossChunksIntact() throws IOException {
      String id = "NYX" + System.nanoTime();
      String file =
          String.join(",", VoterListReport.COLUMNS)
              + "\r\n"
              + id
              + ",Zoë,Ånne \"Nan\",,,1980-02-29,\"12 Main St, Apt 1\",Rochester,14604,"
              + COUNTY
              + ",133,4,DEM,ACTIVE,2001-05-06\r\n";
      // 7-byte chunks: the two-byte characters and the quoted comma straddle chunk ends.
      UUID report = report(upload(owner, file.getBytes(StandardCharsets.UTF_8), 7));

      run(report);

      Map<String, Object> voter =
          jdbc.sql(
                  "SELECT last_name, first_name, street_address FROM voters WHERE state_voter_id = :id")
              .param("id", id)
              .query()
              .singleRow();
      assertThat(voter)
          .containsEntry("last_name", "Zoë")
          .containsEntry("first_name", "Ånne \"Nan\"")
          .containsEntry("street_address", "12 Main St, Apt 1");
    }

    /**
     * Text that a spreadsheet would run as a formula is defused with an apostrophe in the CSV
     * reports; the staging COPY is CSV too, but for PostgreSQL, so it must carry the text as it is.
     */
    @Test
    void storesTextThatLooksLikeAFormulaAsItIs() {
      String id = "NYF" + System.nanoTime();
      String file =
          String.join(",", VoterListReport.COLUMNS)
              + "\r\n"
              + id
              + ",-Smith,@Ann,=1+1,+,1980-02-29,\"-12 Main St, Apt 1\",Rochester,14604,"
              + COUNTY
              + ",133,4,DEM,ACTIVE,2001-05-06\r\n";
      UUID report = report(upload(owner, file.getBytes(StandardCharsets.UTF_8), 1024));

      run(report);

      assertThat(
              jdbc.sql(
                      """
                      SELECT last_name, first_name, middle_name, suffix, street_address
                      FROM voters WHERE state_voter_id = :id
                      """)
                  .param("id", id)
                  .query()
                  .singleRow())
          .containsEntry("last_name", "-Smith")
          .containsEntry("first_name", "@Ann")
          .containsEntry("middle_name", "=1+1")
          .containsEntry("suffix", "+")
          .containsEntry("street_address", "-12 Main St, Apt 1");
    }

    /** The voterList CSV defuses such text with an apostrophe; importing it removes it again. */
    @Test
    void anExportedVoterWhoseNameLooksLikeAFormulaImportsUnchanged() throws IOException {
      String county = "Formula" + Long.toString(System.nanoTime(), 36).replaceAll("[0-9]", "x");
      String id = "NYR" + System.nanoTime();
      jdbc.sql(
              """
              INSERT INTO voters (state_voter_id, first_name, last_name, date_of_birth,
                                  street_address, city, zip_code, county, assembly_district,
                                  election_district, party, status, registration_date)
              VALUES (:id, '@Ann', '-Smith', '1980-02-29', '=12 Main St', 'Rochester', '14604',
                      :county, 133, 4, 'DEM', 'ACTIVE', '2001-05-06')
              """)
          .param("id", id)
          .param("county", county)
          .update();
      byte[] export =
          GeneratorRun.of(
                  new VoterListReport(new RegistryAccess(jdbc, support.json, 100)),
                  "CSV",
                  "{\"county\":\"" + county + "\"}")
              .bytes();
      assertThat(new String(export, StandardCharsets.UTF_8)).contains("'-Smith,'@Ann");
      UUID report =
          support.insertReport(
              owner,
              "voterImport",
              "{\"uploadId\":\""
                  + upload(owner, export, 1024)
                  + "\",\"county\":\""
                  + county
                  + "\"}");

      run(report);

      assertThat(summary(report).get(1)).containsExactly("1", "0", "0", "1", "0");
      assertThat(
              jdbc.sql(
                      "SELECT last_name, first_name, street_address FROM voters"
                          + " WHERE state_voter_id = :id")
                  .param("id", id)
                  .query()
                  .singleRow())
          .containsEntry("last_name", "-Smith")
          .containsEntry("first_name", "@Ann")
          .containsEntry("street_address", "=12 Main St");
    }
  }

  @Nested
  class BadRecords {

    @Test
    void areRejectedWithTheirLineAndReasonWhileTheRestIsImported() throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      VoterCsv written = SampleRegistry.writeVoterCsv(out, COUNTY, 1_000, 22, 13);
      byte[] file = out.toByteArray();
      UUID report = report(upload(owner, file, 64 * 1024));

      TestJobContext ctx = run(report);

      assertThat(ctx.completed).isTrue();
      List<List<String>> summary = summary(report);
      assertThat(summary.get(1)).containsExactly("1000", "978", "0", "0", "22");
      List<List<String>> rejects = summary.subList(4, summary.size());
      assertThat(rejects)
          .extracting(r -> r.get(0))
          .containsExactlyElementsOf(
              written.badRows().stream().map(b -> Integer.toString(b.line())).toList());
      for (int i = 0; i < rejects.size(); i++) {
        BadRow bad = written.badRows().get(i);
        assertThat(rejects.get(i).get(1)).as(bad.defect().name()).contains(reasonOf(bad.defect()));
        assertThat(rejects.get(i)).hasSize(VoterImportReport.REJECT_COLUMNS.size());
        assertThat(rejects.get(i).get(2)).isEqualTo(bad.stateVoterId());
      }
      assertThat(votersOf(file)).isEqualTo(978);
    }

    private static String reasonOf(Defect defect) {
      return switch (defect) {
        case MISSING_LAST_NAME -> "Last Name is required";
        case INVALID_DATE_OF_BIRTH -> "Date of Birth must be a date";
        case INVALID_ZIP_CODE -> "ZIP Code must be 5 digits";
        case UNKNOWN_PARTY -> "Party must be one of DEM, REP";
        case UNKNOWN_STATUS -> "Status must be one of ACTIVE";
        case ASSEMBLY_DISTRICT_OUT_OF_RANGE ->
            "Assembly District must be a whole number from 1 to 150";
        case ELECTION_DISTRICT_OUT_OF_RANGE ->
            "Election District must be a whole number from 1 to 999";
        case OTHER_COUNTY -> "County must be Monroe";
        case DUPLICATE_STATE_VOTER_ID -> "State Voter ID repeats line";
        case REGISTERED_BEFORE_BIRTH -> "Registration Date must not be before Date of Birth";
        case WRONG_COLUMN_COUNT -> "expected 15 fields, found 14";
      };
    }
  }

  @Nested
  class UnreadableFile {

    @Test
    void anEmptyFileFailsTheReport() {
      assertFailsWith(upload(owner, new byte[0], 1024), "INVALID_UPLOAD", "empty");
    }

    @Test
    void anotherHeaderFailsTheReport() {
      byte[] file = "name,address\r\nAnn,1 Main St\r\n".getBytes(StandardCharsets.UTF_8);

      assertFailsWith(upload(owner, file, 1024), "INVALID_UPLOAD", "header");
    }

    @Test
    void aFileThatIsNotUtf8FailsTheReportAndImportsNothing() throws IOException {
      byte[] good = voterFile(50, 0, 14);
      // A Latin-1 "é" (0xE9 alone is no UTF-8) in the last record.
      byte[] file = Arrays.copyOf(good, good.length + 3);
      file[good.length] = (byte) 0xE9;
      file[good.length + 1] = '\r';
      file[good.length + 2] = '\n';

      assertFailsWith(upload(owner, file, 1024), "INVALID_UPLOAD", "UTF-8");
      assertThat(votersOf(good)).isZero();
    }

    /**
     * The header is quoted in the failure, and PostgreSQL can store no NUL (the report.failed
     * callback is a jsonb job payload, the job's error text).
     */
    @Test
    void aHeaderWithANulCharacterFailsTheReport() {
      byte[] file = "State Voter ID\u0000,Name\r\n".getBytes(StandardCharsets.UTF_8);

      assertFailsWith(upload(owner, file, 1024), "INVALID_UPLOAD", "header");
    }

    @Test
    void aBinaryFileFailsTheReport() {
      byte[] file = new byte[5_000];
      new Random(1).nextBytes(file);

      assertFailsWith(upload(owner, file, 1024), "INVALID_UPLOAD", "");
    }
  }

  @Nested
  class Upload {

    @Test
    void anotherClientsUploadFailsTheReport() throws IOException {
      UUID foreign = upload(support.client(), voterFile(10, 0, 15), 1024);

      assertFailsWith(foreign, "UPLOAD_NOT_FOUND", "not one of the report owner's uploads");
    }

    @Test
    void aMissingUploadFailsTheReport() {
      assertFailsWith(UUID.randomUUID(), "UPLOAD_NOT_FOUND", "not one of");
    }
  }

  /**
   * Issue 15.2: writing the registry is a registrar's right, within its counties, audited. One
   * record per slice (issue 15.3): the scope holds slice by slice.
   */
  @Nested
  class RegistrarScope {

    @BeforeEach
    void oneRecordPerSlice() {
      sliceSize = 1;
    }

    @Test
    void aClientKeyCannotImportAndNothingIsWritten() throws IOException {
      long client = support.client();
      byte[] file = voterFile(5, 0, 17);
      UUID report = report(client, upload(client, file, 1024), COUNTY);

      assertReportFailsWith(report, "REGISTRY_WRITE_DENIED", "registrar");
      assertThat(votersOf(file)).isZero();
      assertThat(audit(report)).isEmpty();
    }

    /** The key is read when the import runs: one revoked since its submission writes nothing. */
    @Test
    void aKeyRevokedAfterSubmissionCannotImport() throws IOException {
      long revoked = registrar(COUNTY);
      byte[] file = voterFile(5, 0, 18);
      UUID report = report(revoked, upload(revoked, file, 1024), COUNTY);
      jdbc.sql("UPDATE api_clients SET revoked_at = now() WHERE id = :id")
          .param("id", revoked)
          .update();

      assertReportFailsWith(report, "REGISTRY_WRITE_DENIED", "revoked");
      assertThat(votersOf(file)).isZero();
    }

    @Test
    void aScopedRegistrarCannotMoveAVoterOfAnotherCountyWhileItsOwnRowsImport() {
      long monroe = registrar(COUNTY);
      String kingsVoter = kingsVoter();
      String newVoter = "NYM" + System.nanoTime();
      byte[] file = file(row(newVoter, COUNTY, 133), row(kingsVoter, COUNTY, 133));
      UUID report = report(monroe, upload(monroe, file, 1024), COUNTY);

      assertThat(run(report).completed).isTrue();

      List<List<String>> summary = summary(monroe, report);
      assertThat(summary.get(1)).containsExactly("2", "1", "0", "0", "1");
      assertThat(summary.get(4).subList(0, 3))
          .containsExactly(
              "3",
              "State Voter ID is a voter of Kings, outside the counties of this key (Monroe)",
              kingsVoter);
      assertThat(countyOf(kingsVoter)).isEqualTo("Kings");
      assertThat(countyOf(newVoter)).isEqualTo(COUNTY);
      assertThat(audit(report))
          .containsEntry("client_id", monroe)
          .containsEntry("upload_sha256", sha256(file))
          .containsEntry("counties", "{Monroe}")
          .containsEntry("rows_read", 2L)
          .containsEntry("inserted", 1L)
          .containsEntry("updated", 0L)
          .containsEntry("unchanged", 0L)
          .containsEntry("rejected", 1L)
          .containsEntry("status", "completed");
    }

    /**
     * The scope is read when the import runs: a key narrowed to Monroe after submitting a Kings
     * import creates no Kings voter (at submission the API refuses a county outside the scope).
     */
    @Test
    void aRegistrarNarrowedAfterSubmissionCreatesNoVoterOutsideItsCounties() {
      long registrar = registrar("Kings");
      String newVoter = "NYK" + System.nanoTime();
      byte[] file = file(row(newVoter, "Kings", 41));
      UUID report = report(registrar, upload(registrar, file, 1024), "Kings");
      jdbc.sql("UPDATE api_clients SET registry_counties = '{Monroe}' WHERE id = :id")
          .param("id", registrar)
          .update();

      assertThat(run(report).completed).isTrue();

      List<List<String>> summary = summary(registrar, report);
      assertThat(summary.get(1)).containsExactly("1", "0", "0", "0", "1");
      assertThat(summary.get(4).get(1))
          .isEqualTo("County Kings is outside the counties of this key (Monroe)");
      assertThat(countyOf(newVoter)).isNull();
      assertThat(audit(report)).containsEntry("counties", "{Monroe}");
    }

    @Test
    void anUnscopedRegistrarMovesAVoterOfAnyCounty() {
      String kingsVoter = kingsVoter();
      byte[] file = file(row(kingsVoter, COUNTY, 133));
      UUID report = report(upload(owner, file, 1024));

      run(report);

      assertThat(summary(report).get(1)).containsExactly("1", "0", "1", "0", "0");
      assertThat(countyOf(kingsVoter)).isEqualTo(COUNTY);
      assertThat(audit(report))
          .containsEntry("counties", null)
          .containsEntry("updated", 1L)
          .containsEntry("upload_sha256", sha256(file));
    }

    /**
     * The audit row is written when the import starts applying: one cancelled while its file is
     * read (before any change to the registry) leaves none.
     */
    @Test
    void anImportCancelledBeforeApplyingLeavesNoAuditRow() throws IOException {
      UUID report = report(upload(owner, voterFile(20, 0, 19), 1024));
      TestJobContext ctx = new TestJobContext(support.tx, report, 1, 5, true);

      assertThatThrownBy(() -> handler().handle(ctx)).isInstanceOf(JobFailure.Cancelled.class);

      assertThat(audit(report)).isEmpty();
    }

    /**
     * A voter of Kings, in a party, status and district no other test reports on (the database is
     * shared by the module's tests, and it may stay in Kings).
     */
    private String kingsVoter() {
      String id = "NYK" + System.nanoTime();
      jdbc.sql(
              """
              INSERT INTO voters (state_voter_id, first_name, last_name, date_of_birth,
                                  street_address, city, zip_code, county, assembly_district,
                                  election_district, party, status, registration_date)
              VALUES (:id, 'Kim', 'Kings', '1970-01-01', '1 Court St', 'Brooklyn', '11201',
                      'Kings', 150, 1, 'CON', 'INACTIVE', '2000-01-01')
              """)
          .param("id", id)
          .update();
      return id;
    }

    private @Nullable String countyOf(String stateVoterId) {
      return jdbc.sql("SELECT county FROM voters WHERE state_voter_id = :id")
          .param("id", stateVoterId)
          .query(String.class)
          .optional()
          .orElse(null);
    }
  }

  /** The import's audit row with its status and applied line; empty if there is none. */
  Map<String, Object> audit(UUID report) {
    return jdbc
        .sql(
            """
            SELECT client_id, upload_sha256, counties::text AS counties, rows_read, inserted,
                   updated, unchanged, rejected, p.status, p.applied_line
            FROM registry_imports r
            LEFT JOIN registry_import_progress p ON p.report_id = r.report_id
            WHERE r.report_id = :report
            """)
        .param("report", report)
        .query()
        .listOfRows()
        .stream()
        .findFirst()
        .orElse(Map.of());
  }

  long stagedRows(long jobId) {
    return jdbc.sql("SELECT count(*) FROM import_staging WHERE job_id = :job")
        .param("job", jobId)
        .query(Long.class)
        .single();
  }

  /**
   * Issue 15.3: the import is applied in slices, each its own transaction, with its progress on the
   * audit row; an attempt resumes where the last one stopped; a cancellation keeps what was
   * applied.
   */
  @Nested
  class InSlices {

    /**
     * A registry where the file inserts, updates, leaves unchanged and rejects records; the import
     * loses its job after 5 slices (the job is rescued) and its next attempt resumes: the counts
     * are those of one uninterrupted import, each voter applied once, and no staging row is left.
     */
    @Test
    void anAttemptThatLosesItsJobBetweenSlicesIsResumedWithExactCounts() throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      VoterCsv written =
          SampleRegistry.writeVoterCsv(out, COUNTY, 1_000, 22, 24_000 + System.nanoTime() % 1_000);
      byte[] file = out.toByteArray();
      UUID upload = upload(owner, file, 64 * 1024);
      run(report(upload));
      String[] ids = csv(file).stream().skip(1).map(r -> r.get(0)).toArray(String[]::new);
      jdbc.sql(
              """
              DELETE FROM voters WHERE id IN (SELECT id FROM voters WHERE state_voter_id = ANY (:ids)
                                              ORDER BY state_voter_id LIMIT 200)
              """)
          .param("ids", ids)
          .update();
      jdbc.sql(
              """
              UPDATE voters SET city = 'Elsewhere'
              WHERE id IN (SELECT id FROM voters WHERE state_voter_id = ANY (:ids)
                           ORDER BY state_voter_id DESC LIMIT 100)
              """)
          .param("ids", ids)
          .update();
      UUID again = report(upload);
      TestJobContext first = new TestJobContext(support.tx, again, 1, 5, false);
      AtomicInteger slices = new AtomicInteger();

      assertThatThrownBy(
              () ->
                  handler(
                          50,
                          rows -> {
                            if (slices.incrementAndGet() == 5) {
                              first.loseLease();
                            }
                          })
                      .handle(first))
          .isInstanceOf(LeaseLostException.class);
      Map<String, Object> stopped = audit(again);
      assertThat(stopped).containsEntry("status", "running").containsEntry("rows_read", 250L);
      assertThat(stagedRows(first.jobId())).isEqualTo(1_000);

      TestJobContext second = first.nextAttempt();
      handler(50, RegistryAccess.SliceObserver.NONE).handle(second);

      assertThat(second.completed).isTrue();
      List<List<String>> summary = summary(again);
      assertThat(summary.get(1)).containsExactly("1000", "200", "100", "678", "22");
      assertThat(summary.subList(4, summary.size()))
          .extracting(r -> r.get(0))
          .containsExactlyElementsOf(
              written.badRows().stream().map(b -> Integer.toString(b.line())).toList());
      assertThat(audit(again))
          .containsEntry("status", "completed")
          .containsEntry("rows_read", 1_000L)
          .containsEntry("inserted", 200L)
          .containsEntry("updated", 100L)
          .containsEntry("unchanged", 678L)
          .containsEntry("rejected", 22L);
      assertThat(votersOf(file)).isEqualTo(978);
      assertThat(stagedRows(first.jobId())).isZero();
      assertThat(support.callbacks(again))
          .extracting(e -> e.get("type").asString())
          .containsExactly("report.completed");
    }

    @Test
    void aCancellationBetweenSlicesKeepsTheAppliedSlicesAndAuditsThemAsCancelled()
        throws IOException {
      byte[] file = voterFile(500, 0, 25);
      UUID report = report(upload(owner, file, 4096));
      TestJobContext ctx = new TestJobContext(support.tx, report, 1, 5, false);
      AtomicInteger slices = new AtomicInteger();

      assertThatThrownBy(
              () ->
                  handler(
                          100,
                          rows -> {
                            if (slices.incrementAndGet() == 2) {
                              ctx.requestCancellation();
                            }
                          })
                      .handle(ctx))
          .isInstanceOf(JobFailure.Cancelled.class);

      assertThat(votersOf(file)).isEqualTo(200);
      assertThat(audit(report))
          .containsEntry("status", "cancelled")
          .containsEntry("rows_read", 200L)
          .containsEntry("inserted", 200L)
          .containsEntry("rejected", 0L);
      assertThat(support.callbacks(report))
          .extracting(e -> e.get("type").asString())
          .containsExactly("report.cancelled");
      assertThat(stagedRows(ctx.jobId())).isZero();
      assertThat(ctx.completed).isFalse();
    }

    /**
     * Attempts killed after two slices (they end nothing); once a job is final the sweep ends its
     * import as failed with the counts so far and deletes its staging rows, and leaves those of a
     * job still running.
     */
    @Test
    void theSweepEndsTheImportOfAJobThatEndedWithoutItsAttemptAndDeletesItsStagingRows()
        throws IOException {
      TestJobContext dead = killedAfterTwoSlices();
      TestJobContext running = killedAfterTwoSlices();
      jdbc.sql(
              """
              UPDATE conveyor.queue_job
              SET state = 'discarded', lease_expires_at = NULL, finalized_at = now()
              WHERE id = :id
              """)
          .param("id", dead.jobId())
          .update();

      assertThat(SlowSlicesWorker.sweepImportStaging(GenerateReportHandlerTests.db.dataSource()))
          .isGreaterThanOrEqualTo(300);

      assertThat(stagedRows(dead.jobId())).isZero();
      assertThat(statusOf(dead.jobId())).isEqualTo("failed");
      assertThat(stagedRows(running.jobId())).isEqualTo(300);
      assertThat(statusOf(running.jobId())).isEqualTo("running");
    }

    /**
     * The sweep finds the jobs with staging rows by a loose index scan of the primary key, not by
     * reading every staged row: 20,000 rows of 20 jobs (beyond any real job id), analyzed.
     */
    @Test
    void theSweepFindsStagedJobsThroughThePrimaryKey() {
      long base = Long.MAX_VALUE / 2 + System.nanoTime() % 1_000_000 * 100;
      jdbc.sql(
              """
              INSERT INTO import_staging (job_id, line, reject_reason, fields)
              SELECT :base + i % 20, i, 'test', '[]' FROM generate_series(1, 20000) AS i
              """)
          .param("base", base)
          .update();
      try {
        jdbc.sql("ANALYZE import_staging").update();
        String plan =
            String.join(
                "\n",
                jdbc.sql(
                        "EXPLAIN "
                            + SqlFiles.load(
                                    ImportStagingRepository.class, "find_ended_import_jobs.sql")
                                .replace(":limit", "50"))
                    .query(String.class)
                    .list());

        assertThat(plan)
            .contains("import_staging_pkey")
            .doesNotContain("Seq Scan on import_staging");
      } finally {
        jdbc.sql("DELETE FROM import_staging WHERE job_id >= :base AND job_id < :base + 20")
            .param("base", base)
            .update();
      }
    }

    private TestJobContext killedAfterTwoSlices() throws IOException {
      UUID report = report(upload(owner, voterFile(300, 0, 26), 4096));
      TestJobContext ctx = new TestJobContext(support.tx, report, 1, 5, false);
      AtomicInteger slices = new AtomicInteger();
      assertThatThrownBy(
              () ->
                  handler(
                          50,
                          rows -> {
                            if (slices.incrementAndGet() == 2) {
                              throw new IllegalStateException("killed");
                            }
                          })
                      .handle(ctx))
          .hasMessage("killed");
      assertThat(audit(report)).containsEntry("rows_read", 100L);
      return ctx;
    }

    private String statusOf(long jobId) {
      return jdbc.sql("SELECT status FROM registry_import_progress WHERE job_id = :job")
          .param("job", jobId)
          .query(String.class)
          .single();
    }
  }

  private static String row(String stateVoterId, String county, int assemblyDistrict) {
    return stateVoterId
        + ",Doe,Jo,,,1980-02-29,12 Main St,Town,14604,"
        + county
        + ","
        + assemblyDistrict
        + ",4,DEM,ACTIVE,2001-05-06";
  }

  private static byte[] file(String... rows) {
    return (String.join(",", VoterListReport.COLUMNS) + "\r\n" + String.join("\r\n", rows) + "\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Cancelled while its file is read: nothing was applied yet, and its staging rows are gone. */
  @Test
  void anImportCancelledBeforeApplyingLeavesTheVotersUntouched() throws IOException {
    byte[] file = voterFile(600, 0, 16);
    UUID report = report(upload(owner, file, 4096));
    TestJobContext ctx = new TestJobContext(support.tx, report, 1, 5, true);

    assertThatThrownBy(() -> handler().handle(ctx)).isInstanceOf(JobFailure.Cancelled.class);

    assertThat(votersOf(file)).isZero();
    assertThat(support.callbacks(report))
        .extracting(e -> e.get("type").asString())
        .containsExactly("report.cancelled");
    assertThat(stagedRows(ctx.jobId())).isZero();
  }

  private void assertFailsWith(UUID upload, String code, String message) {
    assertReportFailsWith(report(upload), code, message);
  }

  private void assertReportFailsWith(UUID report, String code, String message) {
    TestJobContext ctx = new TestJobContext(support.tx, report, 1, 5, false);

    assertThatThrownBy(() -> handler().handle(ctx))
        .isInstanceOf(JobFailure.class)
        .hasMessageNotContaining("\u0000");

    List<JsonNode> events = support.callbacks(report);
    assertThat(events).extracting(e -> e.get("type").asString()).containsExactly("report.failed");
    assertThat(events.getFirst().get("error").get("code").asString()).isEqualTo(code);
    assertThat(events.getFirst().get("error").get("message").asString()).contains(message);
    assertThat(ctx.completed).isFalse();
  }

  private TestJobContext run(UUID report) {
    TestJobContext ctx = new TestJobContext(support.tx, report, 1, 5, false);
    handler().handle(ctx);
    return ctx;
  }

  private static byte[] voterFile(int rows, int bad, long seed) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SampleRegistry.writeVoterCsv(out, COUNTY, rows, bad, seed * 1_000 + System.nanoTime() % 1_000);
    return out.toByteArray();
  }

  private static String firstId(byte[] file) {
    return csv(file).get(1).get(0);
  }

  private long votersOf(byte[] file) {
    List<String> ids = csv(file).stream().skip(1).map(r -> r.get(0)).distinct().toList();
    return jdbc.sql("SELECT count(*) FROM voters WHERE state_voter_id = ANY (:ids)")
        .param("ids", ids.toArray(String[]::new))
        .query(Long.class)
        .single();
  }

  private List<List<String>> summary(UUID report) {
    return summary(owner, report);
  }

  private List<List<String>> summary(long owner, UUID report) {
    byte[] bytes =
        jdbc.sql(
                """
                SELECT string_agg(c.data, ''::bytea ORDER BY c.seq)
                FROM artifacts a JOIN artifact_chunks c ON c.artifact_id = a.id
                WHERE a.owner_id = :owner AND a.kind = 'report' AND a.filename LIKE :name
                """)
            .param("owner", owner)
            .param("name", "%" + report + "%")
            .query(byte[].class)
            .single();
    return csv(bytes);
  }

  /** The records of a CSV file, blank lines included (the summary has one between its tables). */
  static List<List<String>> csv(byte[] bytes) {
    try (CsvReader<CsvRecord> reader =
        CsvReader.builder()
            .skipEmptyLines(false)
            .allowMissingFields(true)
            .allowExtraFields(true)
            .ofCsvRecord(new String(bytes, StandardCharsets.UTF_8))) {
      return reader.stream().map(CsvRecord::getFields).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stores {@code file} as an upload of {@code client} in chunks of {@code chunkSize} bytes. */
  private UUID upload(long client, byte[] file, int chunkSize) {
    UUID id = UUID.randomUUID();
    jdbc.sql(
            """
            INSERT INTO artifacts (id, owner_id, kind, filename, content_type, size_bytes, sha256)
            VALUES (:id, :owner, 'upload', 'voters.csv', 'text/csv', :size, :sha256)
            """)
        .param("id", id)
        .param("owner", client)
        .param("size", file.length)
        .param("sha256", sha256(file))
        .update();
    for (int seq = 0; seq * chunkSize < file.length; seq++) {
      jdbc.sql("INSERT INTO artifact_chunks (artifact_id, seq, data) VALUES (:id, :seq, :data)")
          .param("id", id)
          .param("seq", seq)
          .param(
              "data",
              Arrays.copyOfRange(
                  file, seq * chunkSize, Math.min(file.length, (seq + 1) * chunkSize)))
          .update();
    }
    return id;
  }

  private UUID report(UUID upload) {
    return report(owner, upload, COUNTY);
  }

  private UUID report(long client, UUID upload, String county) {
    return support.insertReport(
        client, "voterImport", "{\"uploadId\":\"" + upload + "\",\"county\":\"" + county + "\"}");
  }

  /** A new registrar key (API client) scoped to {@code counties}, null: every county; its id. */
  long registrar(String @Nullable ... counties) {
    long client = support.client();
    jdbc.sql(
            "UPDATE api_clients SET role = 'registrar', registry_counties = :counties WHERE id = :id")
        .param("counties", counties)
        .param("id", client)
        .update();
    return client;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
