package dev.conveyor.worker.report;

import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import dev.conveyor.contract.SqlFiles;
import dev.conveyor.worker.WorkerServiceProperties;
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
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code voterImport}: reads a client's uploaded voter file (the voterList CSV columns, so an
 * export imports again), checks every record, upserts the valid ones into {@code voters} and writes
 * the import summary (CSV): the counts, then each rejected record with its line and reason.
 *
 * <p>The upload is streamed from its chunks and parsed as it arrives; valid and rejected records go
 * in batches of {@value #BATCH_ROWS} by {@code COPY} into temporary staging tables, then one {@code
 * INSERT … ON CONFLICT} moves the valid ones, so memory holds one chunk and one batch (plus the
 * state voter ids seen, to refuse duplicates). All of it runs in the handler's transaction: a
 * failure or a cancellation leaves {@code voters} untouched.
 *
 * <p>A file that cannot be read as a voter file (not UTF-8, not CSV, another header, empty) fails
 * the report with {@code INVALID_UPLOAD}; an upload that is not the owner's with {@code
 * UPLOAD_NOT_FOUND}.
 */
@Component
class VoterImportReport implements ReportGenerator {

  static final String TYPE = "voterImport";
  static final int BATCH_ROWS = 5_000;

  static final List<String> COUNT_COLUMNS =
      List.of("Rows Read", "Inserted", "Updated", "Unchanged", "Rejected");
  static final List<String> REJECT_COLUMNS = rejectColumns();

  /** The UTF-8 byte order mark. */
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private static final String FIND_UPLOAD =
      SqlFiles.load(VoterImportReport.class, "find_upload.sql");
  private static final String CREATE_VOTERS =
      SqlFiles.load(VoterImportReport.class, "create_import_voters.sql");
  private static final String CREATE_REJECTS =
      SqlFiles.load(VoterImportReport.class, "create_import_rejects.sql");
  private static final String COPY_VOTERS =
      SqlFiles.load(VoterImportReport.class, "copy_import_voters.sql");
  private static final String COPY_REJECTS =
      SqlFiles.load(VoterImportReport.class, "copy_import_rejects.sql");
  private static final String UPSERT =
      SqlFiles.load(VoterImportReport.class, "upsert_imported_voters.sql");
  private static final String SELECT_REJECTS =
      SqlFiles.load(VoterImportReport.class, "select_import_rejects.sql");
  private static final String FIND_REGISTRAR =
      SqlFiles.load(VoterImportReport.class, "find_registrar.sql");
  private static final String INSERT_REGISTRY_IMPORT =
      SqlFiles.load(VoterImportReport.class, "insert_registry_import.sql");

  /** The validated parameters. */
  record Parameters(UUID uploadId, String county) {}

  /** What the import did. */
  record Counts(long read, long inserted, long updated, long unchanged, long rejected) {}

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

  VoterImportReport(
      JdbcClient jdbc, DataSource dataSource, JsonMapper json, WorkerServiceProperties properties) {
    this.jdbc = jdbc;
    this.dataSource = dataSource;
    this.json = json;
    this.fetchSize = properties.fetchSize();
  }

  @Override
  public Spec spec() {
    return new Spec(TYPE, Set.of("CSV"), "voter-import");
  }

  /** The import runs in the job's completing transaction (all or nothing). */
  @Override
  public boolean writesRegistry() {
    return true;
  }

  @Override
  public void write(Report report, OutputStream out, ReportProgress progress) throws IOException {
    Parameters p = parameters(report.parameters());
    Scope scope = scope(report.ownerId());
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
    progress.total(size);
    jdbc.sql(CREATE_VOTERS).update();
    jdbc.sql(CREATE_REJECTS).update();
    Counts counts = stage(p, scope, progress);
    // In the import's transaction: the audit row commits exactly with the voters' changes.
    int audited =
        jdbc.sql(INSERT_REGISTRY_IMPORT)
            .param("clientId", report.ownerId())
            .param("reportId", report.id())
            .param("uploadId", p.uploadId())
            .param(
                "counties",
                scope.counties() == null ? null : scope.counties().toArray(String[]::new))
            .param("read", counts.read())
            .param("inserted", counts.inserted())
            .param("updated", counts.updated())
            .param("unchanged", counts.unchanged())
            .param("rejected", counts.rejected())
            .update();
    if (audited != 1) {
      // The upload (whose hash the row copies) went away during the import: no import without
      // its audit row, so this attempt rolls back and the next one reports the missing upload.
      throw new IllegalStateException("upload " + p.uploadId() + " vanished during the import");
    }
    writeSummary(counts, out);
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

  /** Parses the upload into the staging tables and upserts; the counts. */
  private Counts stage(Parameters p, Scope scope, ReportProgress progress) throws IOException {
    // The transaction's own connection (COPY needs the driver's API), as JdbcClient uses it.
    Connection connection = DataSourceUtils.getConnection(dataSource);
    try {
      CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
      Staging staging = new Staging(copy);
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
              staging.reject(line, "State Voter ID repeats line " + first, record.getFields());
            } else {
              staging.accept(line, values);
            }
          } else {
            staging.reject(line, String.valueOf(result.reason()), record.getFields());
          }
          progress.advanceTo(upload.position());
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
      staging.flush();
      Map<String, Object> upserted =
          jdbc.sql(UPSERT)
              .param("everyCounty", scope.everyCounty())
              .param("counties", scope.lowerCase())
              .param("scope", scope.describe())
              .query()
              .singleRow();
      long inserted = ((Number) upserted.get("inserted")).longValue();
      long updated = ((Number) upserted.get("updated")).longValue();
      // Records outside the key's counties were moved to the rejects by the upsert itself.
      long rejected = staging.rejected + ((Number) upserted.get("rejected")).longValue();
      return new Counts(read, inserted, updated, read - rejected - inserted - updated, rejected);
    } catch (SQLException e) {
      throw new IllegalStateException("staging the import failed", e);
    } finally {
      DataSourceUtils.releaseConnection(connection, dataSource);
    }
  }

  private void writeSummary(Counts counts, OutputStream out) throws IOException {
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
      jdbc.sql(SELECT_REJECTS)
          .withFetchSize(fetchSize)
          .query(
              (RowCallbackHandler)
                  rs -> {
                    try {
                      summary.row(rejectRow(rs));
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  });
    }
  }

  private static List<@Nullable Object> rejectRow(ResultSet rs) throws SQLException {
    List<@Nullable Object> row = new ArrayList<>(REJECT_COLUMNS.size());
    row.add(rs.getLong("line"));
    row.add(rs.getString("reason"));
    for (int i = 1; i <= VoterListReport.COLUMNS.size(); i++) {
      row.add(rs.getString("c" + i));
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
   * Records on their way to the staging tables: encoded as CSV in memory (as they are: no formula
   * defusing, which would store the apostrophe) and sent with one {@code COPY} per table every
   * {@value #BATCH_ROWS} records. Never while the upload is being read: the chunks come through the
   * same connection, which a running COPY occupies.
   */
  private static final class Staging {
    private final CopyManager copy;
    private final ByteArrayOutputStream voters = new ByteArrayOutputStream();
    private final ByteArrayOutputStream rejects = new ByteArrayOutputStream();
    private CsvTableWriter voterRows = new CsvTableWriter(voters, false);
    private CsvTableWriter rejectRows = new CsvTableWriter(rejects, false);
    private int batched;
    long rejected;

    Staging(CopyManager copy) {
      this.copy = copy;
    }

    void accept(long line, List<@Nullable Object> values) throws IOException, SQLException {
      List<@Nullable Object> row = new ArrayList<>(values.size() + 1);
      row.add(line);
      row.addAll(values);
      voterRows.row(row);
      batched();
    }

    void reject(long line, String reason, List<String> fields) throws IOException, SQLException {
      List<@Nullable Object> row = new ArrayList<>(REJECT_COLUMNS.size());
      row.add(line);
      row.add(reason);
      // As read, cut or padded to the expected columns so the summary stays a table.
      for (int i = 0; i < VoterListReport.COLUMNS.size(); i++) {
        // PostgreSQL text cannot hold NUL.
        row.add(i < fields.size() ? fields.get(i).replace('\u0000', '\uFFFD') : null);
      }
      rejectRows.row(row);
      rejected++;
      batched();
    }

    private void batched() throws IOException, SQLException {
      if (++batched >= BATCH_ROWS) {
        flush();
      }
    }

    void flush() throws IOException, SQLException {
      voterRows.close();
      rejectRows.close();
      send(COPY_VOTERS, voters);
      send(COPY_REJECTS, rejects);
      voterRows = new CsvTableWriter(voters, false);
      rejectRows = new CsvTableWriter(rejects, false);
      batched = 0;
    }

    private void send(String sql, ByteArrayOutputStream rows) throws IOException, SQLException {
      if (rows.size() > 0) {
        copy.copyIn(sql, new ByteArrayInputStream(rows.toByteArray()));
        rows.reset();
      }
    }
  }
}
