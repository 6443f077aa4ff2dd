package dev.conveyor.worker.report;

import dev.conveyor.contract.SqlFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code voterList}: the voters of a county, optionally narrowed to an assembly district, an
 * election district, a party and a status; ordered by district, then name (the voter id breaks
 * ties). Read in slices ({@link RegistryAccess#forEachInSlices}), never whole and never in one long
 * transaction.
 */
@Component
class VoterListReport implements ReportGenerator {

  static final String TYPE = "voterList";
  static final List<String> PARTIES = List.of("DEM", "REP", "CON", "WOR", "OTH", "BLK");
  static final List<String> STATUSES = List.of("ACTIVE", "INACTIVE", "PURGED", "PREREG");

  static final List<String> COLUMNS =
      List.of(
          "State Voter ID",
          "Last Name",
          "First Name",
          "Middle Name",
          "Suffix",
          "Date of Birth",
          "Street Address",
          "City",
          "ZIP Code",
          "County",
          "Assembly District",
          "Election District",
          "Party",
          "Status",
          "Registration Date");

  private static final String COUNT = SqlFiles.load(VoterListReport.class, "count_voter_list.sql");
  private static final String SELECT =
      SqlFiles.load(VoterListReport.class, "select_voter_list.sql");

  /**
   * Where a slice starts: after this row in the report's order (assembly district, election
   * district, last name, first name, voter id), and no further than {@code lastAd}/{@code lastEd}.
   */
  record Position(int ad, int ed, String lastName, String firstName, long id) {}

  /** A row of the report and its position. */
  record Row(List<@Nullable Object> values, Position position) {}

  /** The validated parameters. */
  record Filter(
      String county,
      @Nullable Integer assemblyDistrict,
      @Nullable Integer electionDistrict,
      @Nullable String party,
      @Nullable String status) {}

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final RegistryAccess registry;

  VoterListReport(RegistryAccess registry) {
    this.jdbc = registry.jdbc();
    this.json = registry.json();
    this.registry = registry;
  }

  @Override
  public Spec spec() {
    return new Spec(TYPE, Set.of("CSV", "XLSX"), "voter-list");
  }

  @Override
  public void write(Report report, OutputStream out, ReportProgress progress) throws IOException {
    Filter filter = filter(report.parameters());
    progress.total(count(filter));
    try (TableWriter writer = TableWriter.forFormat(report.format(), "Voters", out)) {
      writer.header(COLUMNS);
      stream(
          filter,
          values -> {
            try {
              writer.row(values);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            progress.step();
          });
    } catch (XlsxTableWriter.TooManyRowsException e) {
      throw new InvalidReportException("TOO_LARGE", e.getMessage());
    }
  }

  /** The filter of a report's parameters (see {@link ReportParameters} for what is refused). */
  Filter filter(String parameters) {
    ReportParameters p = ReportParameters.parse(TYPE, parameters, json);
    String county = p.requiredText("county");
    Integer ad = p.integer("assemblyDistrict", 150);
    Integer ed = p.integer("electionDistrict", 999);
    if (ed != null && ad == null) {
      throw p.invalid("electionDistrict needs assemblyDistrict");
    }
    return new Filter(county, ad, ed, p.choice("party", PARTIES), p.choice("status", STATUSES));
  }

  long count(Filter filter) {
    return bind(jdbc.sql(COUNT), filter).query(Long.class).single();
  }

  /**
   * Calls {@code rows} for each row in output order, read in slices of fetch-size rows, each one
   * statement outside any transaction. The slices start after the previous slice's last row and
   * stop at the filter's last district, so the index range read is the filter's (see
   * select_voter_list.sql); the first starts before the filter's first district.
   */
  void stream(Filter filter, RowConsumer rows) {
    Position start =
        new Position(
            f(filter.assemblyDistrict(), 0),
            filter.assemblyDistrict() == null ? 0 : f(filter.electionDistrict(), 0),
            "",
            "",
            0);
    try {
      registry.forEachInSlices(
          new Row(List.of(), start),
          (after, limit) -> slice(filter, after.position(), limit),
          row -> {
            try {
              rows.accept(row.values());
            } catch (SQLException e) {
              throw new IllegalStateException(e);
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<Row> slice(Filter filter, Position after, int limit) {
    return bind(jdbc.sql(SELECT), filter)
        .param("afterAd", after.ad())
        .param("afterEd", after.ed())
        .param("afterLast", after.lastName())
        .param("afterFirst", after.firstName())
        .param("afterId", after.id())
        .param("lastAd", f(filter.assemblyDistrict(), 150))
        .param("lastEd", f(filter.electionDistrict(), 999))
        .param("limit", limit)
        .query(
            (rs, n) ->
                new Row(
                    values(rs),
                    new Position(
                        rs.getInt("assembly_district"),
                        rs.getInt("election_district"),
                        rs.getString("last_name"),
                        rs.getString("first_name"),
                        rs.getLong("id"))))
        .list();
  }

  private static int f(@Nullable Integer value, int otherwise) {
    return value == null ? otherwise : value;
  }

  /** One row's values, in {@link #COLUMNS} order. */
  @FunctionalInterface
  interface RowConsumer {
    void accept(List<@Nullable Object> values) throws SQLException;
  }

  private static List<@Nullable Object> values(ResultSet rs) throws SQLException {
    List<@Nullable Object> v = new ArrayList<>(COLUMNS.size());
    v.add(rs.getString("state_voter_id"));
    v.add(rs.getString("last_name"));
    v.add(rs.getString("first_name"));
    v.add(rs.getString("middle_name"));
    v.add(rs.getString("suffix"));
    v.add(rs.getObject("date_of_birth", java.time.LocalDate.class));
    v.add(rs.getString("street_address"));
    v.add(rs.getString("city"));
    v.add(rs.getString("zip_code"));
    v.add(rs.getString("county"));
    v.add(rs.getInt("assembly_district"));
    v.add(rs.getInt("election_district"));
    v.add(rs.getString("party"));
    v.add(rs.getString("status"));
    v.add(rs.getObject("registration_date", java.time.LocalDate.class));
    return v;
  }

  private static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec, Filter f) {
    return spec.param("county", f.county())
        .param("assemblyDistrict", f.assemblyDistrict(), java.sql.Types.SMALLINT)
        .param("electionDistrict", f.electionDistrict(), java.sql.Types.SMALLINT)
        .param("party", f.party(), java.sql.Types.VARCHAR)
        .param("status", f.status(), java.sql.Types.VARCHAR);
  }
}
