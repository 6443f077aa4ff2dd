package dev.conveyor.worker.report;

import dev.conveyor.contract.SqlFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code absenteeReport}: the absentee-ballot applications of one election in a county (optionally
 * one assembly district, one application status), as two tables:
 *
 * <ol>
 *   <li><b>Summary</b>: one row per election district with applications, a count per status and a
 *       total, then a {@code Total} row;
 *   <li><b>Applications</b>: one row per application, ordered by district, then the voter's name.
 * </ol>
 *
 * XLSX puts them on the sheets {@value #SUMMARY} and {@value #APPLICATIONS}; CSV writes the
 * summary, one empty line, then the applications with their own header row. With a {@code status}
 * filter the summary has that status's column only. The summary is one short statement (one row per
 * district); the detail is read in slices ({@link RegistryAccess#forEachInSlices}).
 */
@Component
class AbsenteeReport implements ReportGenerator {

  static final String TYPE = "absenteeReport";
  static final String SUMMARY = "Summary";
  static final String APPLICATIONS = "Applications";
  static final List<String> STATUSES =
      List.of("REQUESTED", "SENT", "RETURNED", "ACCEPTED", "REJECTED", "CANCELLED");
  static final List<String> DETAIL_COLUMNS =
      List.of(
          "State Voter ID",
          "Last Name",
          "First Name",
          "Assembly District",
          "Election District",
          "Requested On",
          "Sent On",
          "Returned On",
          "Status");

  private static final String COUNT =
      SqlFiles.load(AbsenteeReport.class, "count_absentee_report.sql");
  private static final String SUMMARY_SQL =
      SqlFiles.load(AbsenteeReport.class, "select_absentee_summary.sql");
  private static final String DETAIL_SQL =
      SqlFiles.load(AbsenteeReport.class, "select_absentee_applications.sql");

  /** The validated parameters. */
  record Filter(
      String county,
      LocalDate electionDate,
      @Nullable Integer assemblyDistrict,
      @Nullable String status) {

    /** The statuses the summary has a column for. */
    List<String> statuses() {
      return status == null ? STATUSES : List.of(status);
    }
  }

  /** A detail row and its place in the order (AD, ED, last, first name, application id). */
  record Application(
      List<@Nullable Object> values, int ad, int ed, String lastName, String firstName, long id) {}

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final RegistryAccess registry;

  AbsenteeReport(RegistryAccess registry) {
    this.jdbc = registry.jdbc();
    this.json = registry.json();
    this.registry = registry;
  }

  @Override
  public Spec spec() {
    return new Spec(TYPE, Set.of("CSV", "XLSX"), "absentee-report");
  }

  Filter filter(String parameters) {
    ReportParameters p = ReportParameters.parse(TYPE, parameters, json);
    return new Filter(
        p.requiredText("county"),
        p.requiredDate("electionDate"),
        p.integer("assemblyDistrict", 150),
        p.choice("status", STATUSES));
  }

  @Override
  public void write(Report report, OutputStream out, ReportProgress progress) throws IOException {
    Filter filter = filter(report.parameters());
    progress.total(
        bind(jdbc.sql(COUNT), filter)
            .query((rs, n) -> rs.getLong("districts") + rs.getLong("applications"))
            .single());
    try (TableWriter writer = TableWriter.forFormat(report.format(), SUMMARY, out)) {
      writeSummary(filter, writer, progress);
      writer.nextTable(APPLICATIONS);
      writer.header(DETAIL_COLUMNS);
      registry.forEachInSlices(
          new Application(List.of(), 0, 0, "", "", 0),
          (after, limit) ->
              bind(jdbc.sql(DETAIL_SQL), filter)
                  .param("afterAd", after.ad())
                  .param("afterEd", after.ed())
                  .param("afterLast", after.lastName())
                  .param("afterFirst", after.firstName())
                  .param("afterId", after.id())
                  .param("limit", limit)
                  .query(
                      (rs, n) ->
                          new Application(
                              application(rs),
                              rs.getInt("assembly_district"),
                              rs.getInt("election_district"),
                              rs.getString("last_name"),
                              rs.getString("first_name"),
                              rs.getLong("id")))
                  .list(),
          application -> {
            writer.row(application.values());
            progress.step();
          });
    } catch (XlsxTableWriter.TooManyRowsException e) {
      throw new InvalidReportException("TOO_LARGE", e.getMessage());
    }
  }

  private void writeSummary(Filter filter, TableWriter writer, ReportProgress progress)
      throws IOException {
    List<String> statuses = filter.statuses();
    List<String> header = new ArrayList<>(List.of("Assembly District", "Election District"));
    statuses.forEach(s -> header.add(DisplayNames.code(s)));
    header.add("Total");
    writer.header(header);
    long[] totals = new long[statuses.size() + 1];
    bind(jdbc.sql(SUMMARY_SQL), filter)
        .query(
            RowWriter.each(
                rs -> {
                  List<@Nullable Object> row = new ArrayList<>(header.size());
                  row.add(rs.getInt("assembly_district"));
                  row.add(rs.getInt("election_district"));
                  for (int i = 0; i <= statuses.size(); i++) {
                    String column =
                        i < statuses.size() ? statuses.get(i).toLowerCase(Locale.ROOT) : "total";
                    long count = rs.getLong(column);
                    totals[i] += count;
                    row.add(count);
                  }
                  writer.row(row);
                  progress.step();
                }));
    List<@Nullable Object> total = new ArrayList<>(header.size());
    total.add("Total");
    total.add(null);
    for (long t : totals) {
      total.add(t);
    }
    writer.row(total);
  }

  private static List<@Nullable Object> application(ResultSet rs) throws SQLException {
    List<@Nullable Object> v = new ArrayList<>(DETAIL_COLUMNS.size());
    v.add(rs.getString("state_voter_id"));
    v.add(rs.getString("last_name"));
    v.add(rs.getString("first_name"));
    v.add(rs.getInt("assembly_district"));
    v.add(rs.getInt("election_district"));
    v.add(rs.getObject("requested_on", LocalDate.class));
    v.add(rs.getObject("sent_on", LocalDate.class));
    v.add(rs.getObject("returned_on", LocalDate.class));
    v.add(rs.getString("status"));
    return v;
  }

  private static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec, Filter f) {
    return spec.param("county", f.county())
        .param("electionDate", f.electionDate())
        .param("assemblyDistrict", f.assemblyDistrict(), Types.SMALLINT)
        .param("status", f.status(), Types.VARCHAR);
  }
}
