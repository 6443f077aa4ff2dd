package dev.conveyor.worker.report;

import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import dev.conveyor.contract.SqlFiles;
import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.LeaseLostException;
import dev.conveyor.worker.VoterImportProperties;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code voterImport}: reads a client's uploaded voter file (the voterList CSV columns, so an
 * export imports again), checks every record, upserts the valid ones into {@code voters} and writes
 * the import summary (CSV): the counts, then each rejected record with its line and reason.
 *
 * <p>No transaction stays open for the import (issue 15.3): the upload is streamed from its chunks
 * and parsed as it arrives; valid and rejected records go into {@code import_staging} (keyed by the
 * job) in batches of {@value #BATCH_ROWS}, one {@code COPY} per kind, each batch its own short
 * transaction. Then the registry upsert runs over slices of {@code slice-size} staged records
 * (keyset on the line), each slice its own transaction, which also adds the slice's counts to the
 * import's audit row ({@code registry_imports}) and moves its applied line. Every transaction
 * starts with the fence ({@link ImportStagingRepository#lockAttempt}): the attempt must still hold
 * the job. A retried or rescued attempt resumes after the applied line with the counts it finds
 * (staging was complete before the first slice, so it re-reads nothing), and the counts stay exact.
 * The final step, in the job's completing transaction, marks the audit row completed; the staging
 * rows are then deleted in bounded short deletes (the sweep deletes those of jobs that end
 * otherwise).
 *
 * <p>So an import is no longer all or nothing: other reports may read the registry with part of it
 * applied, and a cancellation or a final failure stops between slices, keeping what was applied;
 * the audit row then says {@code cancelled} or {@code failed} with the counts so far.
 *
 * <p>A file that cannot be read as a voter file (not UTF-8, not CSV, another header, empty) fails
 * the report with {@code INVALID_UPLOAD}; an upload that is not the owner's with {@code
 * UPLOAD_NOT_FOUND}; a key that may not write the registry (any more) with {@code
 * REGISTRY_WRITE_DENIED}, before any write.
 */
@Component
class VoterImportReport implements ReportGenerator {

  static final String TYPE = "voterImport";
  static final int BATCH_ROWS = 5_000;

  static final List<String> COUNT_COLUMNS =
      List.of("Rows Read", "Inserted", "Updated", "Unchanged", "Rejected");
  static final List<String> REJECT_COLUMNS = rejectColumns();

  /** Progress units: the first half for reading the file, the second for applying it. */
  private static final long PROGRESS_UNITS = 1_000;

  private static final Logger log = LoggerFactory.getLogger(VoterImportReport.class);

  /** The UTF-8 byte order mark. */
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private static final String FIND_UPLOAD =
      SqlFiles.load(VoterImportReport.class, "find_upload.sql");
  private static final String COPY_VOTERS =
      SqlFiles.load(VoterImportReport.class, "copy_import_voters.sql");
  private static final String COPY_REJECTS =
      SqlFiles.load(VoterImportReport.class, "copy_import_rejects.sql");
  private static final String COUNT_STAGED =
      SqlFiles.load(VoterImportReport.class, "count_import_staging.sql");
  private static final String UPSERT =
      SqlFiles.load(VoterImportReport.class, "upsert_imported_voters.sql");
  private static final String SELECT_REJECTS =
      SqlFiles.load(VoterImportReport.class, "select_import_rejects.sql");
  private static final String FIND_REGISTRAR =
      SqlFiles.load(VoterImportReport.class, "find_registrar.sql");
  private static final String FIND_REGISTRY_IMPORT =
      SqlFiles.load(VoterImportReport.class, "find_registry_import.sql");
  private static final String INSERT_REGISTRY_IMPORT =
      SqlFiles.load(VoterImportReport.class, "insert_registry_import.sql");
  private static final String ADVANCE_REGISTRY_IMPORT =
      SqlFiles.load(VoterImportReport.class, "advance_registry_import.sql");
  private static final String END_REGISTRY_IMPORT =
      SqlFiles.load(VoterImportReport.class, "end_registry_import.sql");

  /** The validated parameters. */
  record Parameters(UUID uploadId, String county) {}

  /** What the import did (so far). */
  record Counts(long read, long inserted, long updated, long unchanged, long rejected) {

    static final Counts NONE = new Counts(0, 0, 0, 0, 0);

    Counts plus(Counts more) {
      return new Counts(
          read + more.read,
          inserted + more.inserted,
          updated + more.updated,
          unchanged + more.unchanged,
          rejected + more.rejected);
    }
  }

  /** The import's audit row as found: where it is applied up to, and its counts so far. */
  private record Applied(String status, long jobId, long line, Counts counts) {}

  /**
   * The counties the importing key may write, as read from the key when the import runs.
   *
   * @param counties a registrar's scope; {@code null}: every county
   */
  record Scope(@Nullable List<String> counties) {

    boolean everyCounty() {
      return counties == null;
    }

    /** The scope for the SQL comparison, lower case (voters' county is compared ignoring case). */
    String[] lowerCase() {
      return counties == null
          ? new String[0]
          : counties.stream().map(c -> c.toLowerCase(Locale.ROOT)).toArray(String[]::new);
    }

    /** For a reject's reason. */
    String describe() {
      return counties == null ? "every county" : String.join(", ", counties);
    }
  }

  private final JdbcClient jdbc;
  private final DataSource dataSource;
  private final JsonMapper json;
  private final int fetchSize;
  private final RegistryAccess.SliceObserver observer;
  private final ImportStagingRepository staging;
  private final TransactionTemplate ownTransaction;
  private final int sliceSize;

  @Autowired
  VoterImportReport(
      RegistryAccess registry,
      DataSource dataSource,
      PlatformTransactionManager transactions,
      ImportStagingRepository staging,
      VoterImportProperties properties) {
    this(registry, dataSource, transactions, staging, properties.sliceSize());
  }

  /**
   * @param registry the database, JSON mapper, rows per read of the reject list ({@code
   *     fetch-size}) and the slice observer (told after each slice applied: a test hook)
   * @param sliceSize staged records per slice of the upsert
   */
  VoterImportReport(
      RegistryAccess registry,
      DataSource dataSource,
      PlatformTransactionManager transactions,
      ImportStagingRepository staging,
      int sliceSize) {
    this.jdbc = registry.jdbc();
    this.dataSource = dataSource;
    this.json = registry.json();
    this.fetchSize = registry.fetchSize();
    this.observer = registry.observer();
    this.staging = staging;
    this.ownTransaction = new TransactionTemplate(transactions);
    this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    this.sliceSize = sliceSize;
  }

  @Override
  public Spec spec() {
    return new Spec(TYPE, Set.of("CSV"), "voter-import");
  }

  /** The import needs its attempt (to fence its writes): the handler calls the other write. */
  @Override
  public void write(Report report, OutputStream out, ReportProgress progress) {
    throw new UnsupportedOperationException(
        "voterImport writes the registry as an attempt of its job: call write(report, attempt, …)");
  }

  @Override
  public void write(Report report, JobContext attempt, OutputStream out, ReportProgress progress)
      throws IOException {
    Parameters p = parameters(report.parameters());
    Scope scope = scope(report.ownerId());
    long jobId = attempt.jobId();
    UUID token = attempt.leaseToken();
    progress.total(PROGRESS_UNITS);
    Applied applied = findApplied(report.id(), jobId);
    long staged;
    if (applied == null) {
      long size =
          jdbc.sql(FIND_UPLOAD)
              .param("id", p.uploadId())
              .param("ownerId", report.ownerId())
              .query(Long.class)
              .optional()
              .orElseThrow(
                  () ->
                      new InvalidReportException(
                          "UPLOAD_NOT_FOUND",
                          "upload " + p.uploadId() + " is not one of the report owner's uploads"));
      // What an attempt that died while staging left; parsing is deterministic, so it is staged
      // again in full.
      deleteStaging(jobId, token);
      staged = stage(p, jobId, token, size, progress);
      staging.analyze();
      fenced(
          jobId,
          token,
          () -> {
            int audited =
                jdbc.sql(INSERT_REGISTRY_IMPORT)
                    .param("clientId", report.ownerId())
                    .param("reportId", report.id())
                    .param("uploadId", p.uploadId())
                    .param(
                        "counties",
                        scope.counties() == null ? null : scope.counties().toArray(String[]::new))
                    .param("jobId", jobId)
                    .update();
            if (audited != 1) {
              // The upload (whose hash the row copies) went away during the import: nothing is
              // applied without its audit row; the next attempt reports the missing upload.
              throw new IllegalStateException(
                  "upload " + p.uploadId() + " vanished during the import");
            }
            return null;
          });
      applied = new Applied("running", jobId, 0, Counts.NONE);
    } else {
      // Staging was complete before the first slice: resume after the last slice applied.
      staged = jdbc.sql(COUNT_STAGED).param("jobId", jobId).query(Long.class).single();
      log.info(
          "Import of report {} resumes after line {} ({} records applied)",
          report.id(),
          applied.line(),
          applied.counts().read());
    }
    Counts counts = apply(report, scope, jobId, token, applied, staged, progress);
    progress.advanceTo(PROGRESS_UNITS);
    writeSummary(counts, jobId, out);
  }

  /** In the completing transaction: the audit row says completed, with the job. */
  @Override
  public void completing(Report report, JobContext attempt) {
    int ended = end(report.id(), attempt.jobId(), "completed");
    if (ended != 1) {
      throw new IllegalStateException("the audit row of report " + report.id() + " is missing");
    }
  }

  /** After the completion: the staging rows go, in bounded deletes (the sweep's otherwise). */
  @Override
  public void completed(Report report, JobContext attempt) {
    try {
      // The job is completed: no attempt runs it any more, so these deletes need no fence.
      Integer deleted;
      do {
        deleted = ownTransaction.execute(s -> staging.delete(attempt.jobId(), sliceSize));
      } while (deleted != null && deleted >= sliceSize);
    } catch (RuntimeException e) {
      log.warn("Could not delete the staging rows of job {}; the sweep will", attempt.jobId(), e);
    }
  }

  /**
   * Cancelled or failed for good: the audit row (if the import got that far) says so with the
   * counts so far, in the fenced transaction that enqueues the event; then the staging rows go.
   */
  @Override
  public void ended(Report report, JobContext attempt, Ending ending, Runnable event) {
    long jobId = attempt.jobId();
    UUID token = attempt.leaseToken();
    fenced(
        jobId,
        token,
        () -> {
          end(report.id(), jobId, ending == Ending.CANCELLED ? "cancelled" : "failed");
          event.run();
          return null;
        });
    try {
      deleteStaging(jobId, token);
    } catch (RuntimeException e) {
      log.warn("Could not delete the staging rows of job {}; the sweep will", jobId, e);
    }
  }

  private int end(UUID reportId, long jobId, String status) {
    return jdbc.sql(END_REGISTRY_IMPORT)
        .param("reportId", reportId)
        .param("jobId", jobId)
        .param("status", status)
        .update();
  }

  /** Runs {@code work} in a short transaction of its own, fenced on the attempt. */
  private <T> T fenced(long jobId, UUID token, Supplier<T> work) {
    return ownTransaction.execute(
        s -> {
          staging.lockAttempt(jobId, token);
          return work.get();
        });
  }

  /** Deletes the job's staging rows, a bounded fenced delete at a time. */
  private void deleteStaging(long jobId, UUID token) {
    int deleted;
    do {
      deleted = fenced(jobId, token, () -> staging.delete(jobId, sliceSize));
    } while (deleted >= sliceSize);
  }

  private @Nullable Applied findApplied(UUID reportId, long jobId) {
    Applied applied =
        jdbc.sql(FIND_REGISTRY_IMPORT)
            .param("reportId", reportId)
            .query(
                (rs, row) ->
                    new Applied(
                        rs.getString("status"),
                        rs.getLong("job_id"),
                        rs.getLong("applied_line"),
                        new Counts(
                            rs.getLong("rows_read"),
                            rs.getLong("inserted"),
                            rs.getLong("updated"),
                            rs.getLong("unchanged"),
                            rs.getLong("rejected"))))
            .optional()
            .orElse(null);
    if (applied != null && (applied.status().equals("completed") || applied.jobId() != jobId)) {
      // A report imports once, by its one job; a completed import completed its job with it.
      throw new IllegalStateException(
          "report " + reportId + " already has an import (" + applied.status() + ")");
    }
    return applied;
  }

  /**
   * Applies the staged records after {@code applied}'s line, a slice per transaction; the counts of
   * the whole import.
   */
  private Counts apply(
      Report report,
      Scope scope,
      long jobId,
      UUID token,
      Applied applied,
      long staged,
      ReportProgress progress) {
    long after = applied.line();
    Counts counts = applied.counts();
    int slices = 0;
    long longestNanos = 0;
    while (true) {
      long from = after;
      long started = System.nanoTime();
      Slice slice =
          fenced(
              jobId,
              token,
              () -> {
                Slice s = upsert(scope, jobId, from);
                if (s.counts().read() > 0) {
                  advance(report.id(), jobId, from, s);
                }
                return s;
              });
      longestNanos = Math.max(longestNanos, System.nanoTime() - started);
      if (slice.counts().read() == 0) {
        break;
      }
      slices++;
      counts = counts.plus(slice.counts());
      after = slice.lastLine();
      observer.sliceRead((int) slice.counts().read());
      // Checks for a cancellation too: between slices, with every slice so far committed.
      progress.advanceTo(
          PROGRESS_UNITS / 2
              + (staged == 0
                  ? 0
                  : Math.min(PROGRESS_UNITS / 2, counts.read() * (PROGRESS_UNITS / 2) / staged)));
      if (slice.counts().read() < sliceSize) {
        break;
      }
    }
    log.info(
        "Import of report {} applied: {} records in all, {} slices of up to {} by this attempt,"
            + " the longest transaction {} ms",
        report.id(),
        counts.read(),
        slices,
        sliceSize,
        longestNanos / 1_000_000);
    return counts;
  }

  private record Slice(long lastLine, Counts counts) {}

  private Slice upsert(Scope scope, long jobId, long after) {
    Map<String, Object> r =
        jdbc.sql(UPSERT)
            .param("jobId", jobId)
            .param("after", after)
            .param("limit", sliceSize)
            .param("everyCounty", scope.everyCounty())
            .param("counties", scope.lowerCase())
            .param("scope", scope.describe())
            .query()
            .singleRow();
    long read = number(r, "slice_rows");
    long inserted = number(r, "inserted");
    long updated = number(r, "updated");
    // Invalid records, and those outside the key's counties (rejected by the upsert itself).
    long rejected = number(r, "invalid") + number(r, "out_of_scope");
    return new Slice(
        number(r, "last_line"),
        new Counts(read, inserted, updated, read - rejected - inserted - updated, rejected));
  }

  private void advance(UUID reportId, long jobId, long after, Slice slice) {
    int advanced =
        jdbc.sql(ADVANCE_REGISTRY_IMPORT)
            .param("reportId", reportId)
            .param("jobId", jobId)
            .param("after", after)
            .param("lastLine", slice.lastLine())
            .param("read", slice.counts().read())
            .param("inserted", slice.counts().inserted())
            .param("updated", slice.counts().updated())
            .param("unchanged", slice.counts().unchanged())
            .param("rejected", slice.counts().rejected())
            .update();
    if (advanced != 1) {
      // Another attempt moved the import on: this one no longer owns it; the slice rolls back.
      throw new LeaseLostException(jobId);
    }
  }

  private static long number(Map<String, Object> row, String column) {
    return ((Number) row.get(column)).longValue();
  }

  /**
   * The importing key's right to write the registry, read now rather than at submission: a key
   * revoked, or turned into a client key, since then fails the import ({@code
   * REGISTRY_WRITE_DENIED}, nothing written); a narrowed scope rejects the records outside it.
   */
  private Scope scope(long ownerId) {
    Key key =
        jdbc.sql(FIND_REGISTRAR)
            .param("ownerId", ownerId)
            .query(
                (rs, row) -> {
                  Array counties = rs.getArray("registry_counties");
                  return new Key(
                      rs.getString("role"),
                      counties == null ? null : List.of((String[]) counties.getArray()),
                      rs.getBoolean("revoked"));
                })
            .optional()
            .orElse(new Key("none", null, true));
    if (key.revoked() || !(key.role().equals("registrar") || key.role().equals("admin"))) {
      throw new InvalidReportException(
          "REGISTRY_WRITE_DENIED",
          "the report's API key may not write the voter registry (it needs the registrar role;"
              + " the key is "
              + (key.revoked() ? "revoked" : "a " + key.role() + " key")
              + ")");
    }
    return new Scope(key.role().equals("admin") ? null : key.counties());
  }

  private record Key(String role, @Nullable List<String> counties, boolean revoked) {}

  /** Parses the upload into the staging table, a fenced transaction per batch; records read. */
  private long stage(Parameters p, long jobId, UUID token, long size, ReportProgress progress)
      throws IOException {
    Staging batches = new Staging(jobId, token);
    VoterRecordCheck check = new VoterRecordCheck(p.county());
    Map<String, Long> accepted = new HashMap<>();
    UploadInputStream upload = new UploadInputStream(jdbc, p.uploadId());
    long read = 0;
    try (CsvReader<CsvRecord> csv =
        CsvReader.builder()
            .allowMissingFields(true)
            .allowExtraFields(true)
            .ofCsvRecord(utf8(upload))) {
      Iterator<CsvRecord> records = csv.iterator();
      if (!records.hasNext()) {
        throw invalidUpload("the file is empty");
      }
      checkHeader(records.next());
      while (records.hasNext()) {
        CsvRecord record = records.next();
        read++;
        long line = record.getStartingLineNumber();
        VoterRecordCheck.Result result = check.check(record.getFields());
        List<@Nullable Object> values = result.values();
        if (values != null) {
          Long first = accepted.putIfAbsent((String) values.getFirst(), line);
          if (first != null) {
            batches.reject(line, "State Voter ID repeats line " + first, record.getFields());
          } else {
            batches.accept(line, values);
          }
        } else {
          batches.reject(line, String.valueOf(result.reason()), record.getFields());
        }
        progress.advanceTo(
            size == 0
                ? 0
                : Math.min(PROGRESS_UNITS / 2, upload.position() * (PROGRESS_UNITS / 2) / size));
      }
    } catch (UncheckedIOException | CsvParseException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof CharacterCodingException) {
          throw invalidUpload("the file is not UTF-8 text (after line " + (read + 1) + ")");
        }
      }
      if (e instanceof CsvParseException) {
        throw invalidUpload("the file is not readable CSV: " + e.getMessage());
      }
      throw e;
    }
    batches.flush();
    progress.advanceTo(PROGRESS_UNITS / 2);
    return read;
  }

  private void writeSummary(Counts counts, long jobId, OutputStream out) throws IOException {
    try (CsvTableWriter summary = new CsvTableWriter(out)) {
      summary.header(COUNT_COLUMNS);
      summary.row(
          List.of(
              counts.read(),
              counts.inserted(),
              counts.updated(),
              counts.unchanged(),
              counts.rejected()));
      summary.row(List.of());
      summary.header(REJECT_COLUMNS);
      // In slices of fetch-size rows (keyset on the line), each one statement: no transaction
      // (nor cursor) stays open while the summary is written.
      long after = 0;
      while (true) {
        List<List<@Nullable Object>> rows =
            jdbc.sql(SELECT_REJECTS)
                .param("jobId", jobId)
                .param("after", after)
                .param("limit", fetchSize)
                .query((rs, n) -> rejectRow(rs))
                .list();
        for (List<@Nullable Object> row : rows) {
          summary.row(row);
        }
        if (rows.size() < fetchSize) {
          return;
        }
        after = (Long) rows.getLast().getFirst();
      }
    }
  }

  private List<@Nullable Object> rejectRow(ResultSet rs) throws SQLException {
    List<@Nullable Object> row = new ArrayList<>(REJECT_COLUMNS.size());
    row.add(rs.getLong("line"));
    row.add(rs.getString("reject_reason"));
    JsonNode fields = json.readTree(rs.getString("fields"));
    for (int i = 0; i < VoterListReport.COLUMNS.size(); i++) {
      JsonNode field = fields.get(i);
      row.add(field == null || field.isNull() ? null : field.asString());
    }
    return row;
  }

  private static void checkHeader(CsvRecord header) {
    List<String> names = header.getFields();
    List<String> normalized = names.stream().map(n -> n.strip().toLowerCase(Locale.ROOT)).toList();
    List<String> expected =
        VoterListReport.COLUMNS.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
    if (!normalized.equals(expected)) {
      String found = String.join(",", names);
      throw invalidUpload(
          "the first line must be the voterList CSV header ("
              + String.join(",", VoterListReport.COLUMNS)
              + "), found: "
              + (found.length() > 200 ? found.substring(0, 200) + "…" : found));
    }
  }

  private static Reader utf8(UploadInputStream in) throws IOException {
    // A byte order mark, as spreadsheet programs write, is skipped before the parser sees it: in
    // front of a quoted header it would make the first field unquoted ("State Voter ID" with its
    // quotes).
    PushbackInputStream bytes = new PushbackInputStream(in, BOM.length);
    byte[] head = bytes.readNBytes(BOM.length);
    if (!Arrays.equals(head, BOM)) {
      bytes.unread(head);
    }
    // Malformed bytes fail the read instead of becoming U+FFFD: a file in another encoding is
    // refused rather than imported garbled.
    return new InputStreamReader(
        bytes,
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT));
  }

  private static InvalidReportException invalidUpload(String message) {
    return new InvalidReportException("INVALID_UPLOAD", message);
  }

  private Parameters parameters(String parameters) {
    JsonNode p = json.readTree(parameters);
    JsonNode uploadId = p.get("uploadId");
    JsonNode county = p.get("county");
    if (uploadId == null || county == null || county.asString().isBlank()) {
      throw new InvalidReportException(
          "INVALID_PARAMETERS", "voterImport needs uploadId and county");
    }
    try {
      return new Parameters(UUID.fromString(uploadId.asString()), county.asString().strip());
    } catch (IllegalArgumentException e) {
      throw new InvalidReportException("INVALID_PARAMETERS", "uploadId must be a UUID");
    }
  }

  private static List<String> rejectColumns() {
    List<String> columns = new ArrayList<>(List.of("Line", "Reason"));
    columns.addAll(VoterListReport.COLUMNS);
    return List.copyOf(columns);
  }

  /**
   * Records on their way to the staging table: encoded as CSV in memory (as they are: no formula
   * defusing, which would store the apostrophe) and sent every {@value #BATCH_ROWS} records with
   * one {@code COPY} per kind, in a fenced transaction of their own (so never while the upload is
   * being read: a COPY occupies its connection).
   */
  private final class Staging {
    private final long jobId;
    private final UUID token;
    private final ByteArrayOutputStream voters = new ByteArrayOutputStream();
    private final ByteArrayOutputStream rejects = new ByteArrayOutputStream();
    private CsvTableWriter voterRows = new CsvTableWriter(voters, false);
    private CsvTableWriter rejectRows = new CsvTableWriter(rejects, false);
    private int batched;

    Staging(long jobId, UUID token) {
      this.jobId = jobId;
      this.token = token;
    }

    void accept(long line, List<@Nullable Object> values) throws IOException {
      List<@Nullable Object> row = new ArrayList<>(values.size() + 2);
      row.add(jobId);
      row.add(line);
      row.addAll(values);
      voterRows.row(row);
      batched();
    }

    void reject(long line, String reason, List<String> fields) throws IOException {
      // As read, cut or padded to the expected columns so the summary stays a table.
      List<@Nullable String> asRead = new ArrayList<>(VoterListReport.COLUMNS.size());
      for (int i = 0; i < VoterListReport.COLUMNS.size(); i++) {
        // PostgreSQL text (and jsonb) cannot hold NUL.
        asRead.add(i < fields.size() ? fields.get(i).replace('\u0000', '\uFFFD') : null);
      }
      rejectRows.row(List.of(jobId, line, reason, json.writeValueAsString(asRead)));
      batched();
    }

    private void batched() throws IOException {
      if (++batched >= BATCH_ROWS) {
        flush();
      }
    }

    void flush() throws IOException {
      voterRows.close();
      rejectRows.close();
      if (voters.size() > 0 || rejects.size() > 0) {
        fenced(
            jobId,
            token,
            () -> {
              Connection connection = DataSourceUtils.getConnection(dataSource);
              try {
                CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
                send(copy, COPY_VOTERS, voters);
                send(copy, COPY_REJECTS, rejects);
              } catch (SQLException e) {
                throw new IllegalStateException("staging the import failed", e);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              } finally {
                DataSourceUtils.releaseConnection(connection, dataSource);
              }
              return null;
            });
      }
      voters.reset();
      rejects.reset();
      voterRows = new CsvTableWriter(voters, false);
      rejectRows = new CsvTableWriter(rejects, false);
      batched = 0;
    }

    private static void send(CopyManager copy, String sql, ByteArrayOutputStream rows)
        throws IOException, SQLException {
      if (rows.size() > 0) {
        copy.copyIn(sql, new ByteArrayInputStream(rows.toByteArray()));
      }
    }
  }
}
