package dev.conveyor.worker.report;

import dev.conveyor.contract.SqlFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ldCommittees}: a party's county committee in one assembly district of a county, listed by
 * election district. Each election district has {@value #SEATS_PER_DISTRICT} seats per party; a
 * member holds one seat whatever their role, and each seat nobody holds is a {@value #VACANCY}
 * line. A district with more members than seats lists them all. The election districts are those
 * where a voter of the assembly district lives, plus any where the party has a member. A member's
 * address is their own registration's, when {@code voter_id} links one.
 *
 * <p>Read in one short statement outside any transaction, not in slices: the lines of one assembly
 * district are bounded (at most 999 election districts, each with its few members and vacancies),
 * and the statement's cost is one district's index range, whatever the registry's size.
 */
@Component
class LdCommitteesReport implements ReportGenerator {

  static final String TYPE = "ldCommittees";
  static final int SEATS_PER_DISTRICT = 2;
  static final String VACANCY = "VACANCY";
  static final List<String> PARTIES = List.of("DEM", "REP", "CON", "WOR", "OTH");
  static final List<String> COLUMNS =
      List.of("Election District", "Seat", "Role", "Name", "Street Address", "City", "ZIP Code");
  private static final float[] PDF_WIDTHS = {9, 5, 13, 24, 24, 13, 12};

  private static final String COUNT =
      SqlFiles.load(LdCommitteesReport.class, "count_ld_committee_lines.sql");
  private static final String SELECT =
      SqlFiles.load(LdCommitteesReport.class, "select_ld_committee_members.sql");

  /** The validated parameters. */
  record Filter(String county, int assemblyDistrict, String party) {}

  private final JdbcClient jdbc;
  private final JsonMapper json;

  LdCommitteesReport(RegistryAccess registry) {
    this.jdbc = registry.jdbc();
    this.json = registry.json();
  }

  @Override
  public Spec spec() {
    return new Spec(TYPE, Set.of("PDF", "XLSX"), "ld-committees");
  }

  Filter filter(String parameters) {
    ReportParameters p = ReportParameters.parse(TYPE, parameters, json);
    return new Filter(
        p.requiredText("county"),
        p.requiredInteger("assemblyDistrict", 150),
        p.requiredChoice("party", PARTIES));
  }

  @Override
  public void write(Report report, OutputStream out, ReportProgress progress) throws IOException {
    Filter filter = filter(report.parameters());
    progress.total(
        bind(jdbc.sql(COUNT), filter)
            .param("seats", SEATS_PER_DISTRICT)
            .query(Long.class)
            .single());
    try (TableWriter writer = writer(report.format(), filter, out)) {
      writer.header(COLUMNS);
      District district = new District(writer, progress);
      bind(jdbc.sql(SELECT), filter)
          .query(
              RowWriter.each(
                  rs -> {
                    district.moveTo(rs.getInt("election_district"));
                    if (rs.getObject("member_id") != null) {
                      district.member(
                          rs.getString("role"),
                          rs.getString("name"),
                          rs.getString("street_address"),
                          rs.getString("city"),
                          rs.getString("zip_code"));
                    }
                  }));
      district.finish();
    }
  }

  private static TableWriter writer(String format, Filter f, OutputStream out) {
    if (!format.equals("PDF")) {
      return TableWriter.forFormat(format, "AD " + f.assemblyDistrict() + " " + f.party(), out);
    }
    return new PdfTableWriter(
        out,
        "County Committee, " + DisplayNames.party(f.party()) + " Party",
        List.of(
            f.county() + " County, Assembly District " + f.assemblyDistrict(),
            SEATS_PER_DISTRICT
                + " seats per election district; "
                + VACANCY
                + " marks a seat nobody holds."),
        PDF_WIDTHS);
  }

  /** The lines of one election district as its rows arrive: members, then vacancies. */
  private static final class District {
    private final TableWriter writer;
    private final ReportProgress progress;
    private int number = -1;
    private int seats;

    District(TableWriter writer, ReportProgress progress) {
      this.writer = writer;
      this.progress = progress;
    }

    void moveTo(int electionDistrict) throws IOException {
      if (electionDistrict != number) {
        finish();
        number = electionDistrict;
        seats = 0;
      }
    }

    void member(
        String role,
        String name,
        @Nullable String street,
        @Nullable String city,
        @Nullable String zip)
        throws IOException {
      line(DisplayNames.code(role), name, street, city, zip);
    }

    /** Writes the vacancies of the current district, if any. */
    void finish() throws IOException {
      if (number < 0) {
        return;
      }
      while (seats < SEATS_PER_DISTRICT) {
        line(null, VACANCY, null, null, null);
      }
    }

    private void line(
        @Nullable String role,
        String name,
        @Nullable String street,
        @Nullable String city,
        @Nullable String zip)
        throws IOException {
      List<@Nullable Object> row = new ArrayList<>(COLUMNS.size());
      row.add(number);
      row.add(++seats);
      row.add(role);
      row.add(name);
      row.add(street);
      row.add(city);
      row.add(zip);
      writer.row(row);
      progress.step();
    }
  }

  private static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec, Filter f) {
    return spec.param("county", f.county())
        .param("assemblyDistrict", f.assemblyDistrict(), java.sql.Types.SMALLINT)
        .param("party", f.party());
  }
}
