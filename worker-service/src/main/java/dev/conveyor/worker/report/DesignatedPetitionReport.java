package dev.conveyor.worker.report;

import dev.conveyor.contract.SqlFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;
import org.openpdf.text.Document;
import org.openpdf.text.Element;
import org.openpdf.text.Paragraph;
import org.openpdf.text.pdf.PdfPCell;
import org.openpdf.text.pdf.PdfPTable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code designatedPetition} (PDF): designating-petition sheets for a candidate. Every page is one
 * sheet: a header block (party, county and assembly district, the signers' statement, the
 * candidate, the office and the primary's date), {@value #LINES_PER_SHEET} numbered signature
 * lines, and the witness statement. The lines are pre-filled, in order, with the party's
 * <em>active</em> voters of the assembly district (name, residence, election district), ordered by
 * election district, then name; the last sheet's remaining lines, and the single sheet of a
 * district without such voters, are left blank. Streamed: the voters are read in slices ({@link
 * RegistryAccess#forEachInSlices}) and each sheet is written out when complete, so one slice and
 * one sheet's voters are held at a time.
 *
 * <p>The sheet count N is counted before the first slice; as the slices are separate statements, a
 * registry change in between could make the lines read differ from N, and the attempt then fails
 * with {@link RegistryChangedException} (retried) rather than store sheets with a wrong "of N".
 */
@Component
class DesignatedPetitionReport implements ReportGenerator {

  static final String TYPE = "designatedPetition";

  /** Signature lines per sheet. */
  static final int LINES_PER_SHEET = 10;

  static final List<String> PARTIES = LdCommitteesReport.PARTIES;
  static final String TITLE = "DESIGNATING PETITION";
  private static final DateTimeFormatter LONG_DATE =
      DateTimeFormatter.ofPattern("MMMM d, uuuu", Locale.US);
  private static final float[] LINE_WIDTHS = {4, 10, 25, 24, 30, 7};
  private static final float LINE_HEIGHT = 31;

  private static final String SELECT =
      SqlFiles.load(DesignatedPetitionReport.class, "select_petition_signers.sql");
  private static final String COUNT =
      SqlFiles.load(DesignatedPetitionReport.class, "count_petition_signers.sql");

  /** The validated parameters. */
  record Petition(
      String county,
      int assemblyDistrict,
      String party,
      String office,
      String candidateName,
      LocalDate electionDate) {}

  /** A pre-filled signature line. */
  record Signer(String name, String residence, int electionDistrict) {}

  /** A signer and their place in the order (election district, last, first name, voter id). */
  record Line(Signer signer, int ed, String lastName, String firstName, long id) {}

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final RegistryAccess registry;

  DesignatedPetitionReport(RegistryAccess registry) {
    this.jdbc = registry.jdbc();
    this.json = registry.json();
    this.registry = registry;
  }

  @Override
  public Spec spec() {
    return new Spec(TYPE, Set.of("PDF"), "designated-petition");
  }

  /** The parameters; the lengths are the API's, which the sheet layout is made for. */
  Petition petition(String parameters) {
    ReportParameters p = ReportParameters.parse(TYPE, parameters, json);
    return new Petition(
        p.requiredText("county", 40),
        p.requiredInteger("assemblyDistrict", 150),
        p.requiredChoice("party", PARTIES),
        p.requiredText("office", 100),
        p.requiredText("candidateName", 200),
        p.requiredDate("electionDate"));
  }

  @Override
  public void write(Report report, OutputStream out, ReportProgress progress) throws IOException {
    Petition petition = petition(report.parameters());
    Document document =
        PdfDocuments.open(
            out, "Designating petition: " + petition.candidateName() + ", " + petition.office());
    Sheets sheets = new Sheets(document, petition);
    sheets.total = bind(jdbc.sql(COUNT), petition).query(Long.class).single();
    progress.total(sheets.total);
    long[] read = {0};
    registry.forEachInSlices(
        new Line(new Signer("", "", 0), 0, "", "", 0),
        (after, limit) ->
            bind(jdbc.sql(SELECT), petition)
                .param("afterEd", after.ed())
                .param("afterLast", after.lastName())
                .param("afterFirst", after.firstName())
                .param("afterId", after.id())
                .param("limit", limit)
                .query(
                    (rs, n) ->
                        new Line(
                            signer(rs),
                            rs.getInt("election_district"),
                            rs.getString("last_name"),
                            rs.getString("first_name"),
                            rs.getLong("id")))
                .list(),
        line -> {
          if (++read[0] > sheets.total) {
            throw new RegistryChangedException(petition, sheets.total);
          }
          sheets.add(line.signer());
          progress.step();
        });
    if (read[0] != sheets.total) {
      throw new RegistryChangedException(petition, sheets.total);
    }
    sheets.finish();
    document.close();
  }

  private static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec, Petition p) {
    return spec.param("county", p.county())
        .param("assemblyDistrict", p.assemblyDistrict(), java.sql.Types.SMALLINT)
        .param("party", p.party());
  }

  /**
   * The signers changed between the count and the last slice (a voterImport committed meanwhile):
   * the sheets' "of N" would be wrong. Retried like any failure; the next attempt counts again.
   */
  static final class RegistryChangedException extends RuntimeException {
    RegistryChangedException(Petition p, long counted) {
      super(
          "the "
              + p.party()
              + " active voters of "
              + p.county()
              + " AD "
              + p.assemblyDistrict()
              + " changed while the petition was written ("
              + counted
              + " counted first); trying again");
    }
  }

  /** Fills sheets with signers and writes each when it is full. */
  private static final class Sheets {
    private final Document document;
    private final Petition petition;
    private final List<Signer> lines = new ArrayList<>(LINES_PER_SHEET);
    private long total;
    private int written;

    Sheets(Document document, Petition petition) {
      this.document = document;
      this.petition = petition;
    }

    void add(Signer signer) {
      lines.add(signer);
      if (lines.size() == LINES_PER_SHEET) {
        writeSheet();
      }
    }

    /** The last, partly filled sheet (or the one blank sheet of a district without signers). */
    void finish() {
      if (!lines.isEmpty() || written == 0) {
        writeSheet();
      }
    }

    private void writeSheet() {
      long sheetCount = Math.max(1, (Math.max(total, 0) + LINES_PER_SHEET - 1) / LINES_PER_SHEET);
      if (written > 0) {
        document.newPage();
      }
      written++;
      sheet(document, petition, written, sheetCount, lines);
      lines.clear();
    }
  }

  /** Lays out one sheet on the current page. */
  static void sheet(
      Document document, Petition petition, int number, long count, List<Signer> signers) {
    String party = DisplayNames.party(petition.party());
    Paragraph title = new Paragraph(TITLE, PdfDocuments.TITLE);
    title.setAlignment(Element.ALIGN_CENTER);
    document.add(title);
    Paragraph where =
        new Paragraph(
            party
                + " Party, "
                + petition.county()
                + " County, Assembly District "
                + petition.assemblyDistrict(),
            PdfDocuments.BOLD);
    where.setAlignment(Element.ALIGN_CENTER);
    document.add(where);
    Paragraph sheetNumber = new Paragraph("Sheet " + number + " of " + count, PdfDocuments.SMALL);
    sheetNumber.setAlignment(Element.ALIGN_RIGHT);
    document.add(sheetNumber);

    Paragraph statement =
        new Paragraph(
            "I, the undersigned, state that I am an enrolled voter of the "
                + party
                + " Party, entitled to vote in that party's primary election to be held on "
                + LONG_DATE.format(petition.electionDate())
                + "; that my place of residence is truly stated beside my signature; and that I"
                + " designate the person named below as a candidate of that party for the office"
                + " stated.",
            PdfDocuments.TEXT);
    statement.setAlignment(Element.ALIGN_JUSTIFIED);
    statement.setSpacingBefore(4);
    document.add(statement);

    PdfPTable candidate = new PdfPTable(new float[] {22, 78});
    candidate.setWidthPercentage(100);
    candidate.setSpacingBefore(6);
    label(candidate, "Candidate", petition.candidateName());
    label(candidate, "Office or position", petition.office());
    label(
        candidate,
        "District",
        "Assembly District " + petition.assemblyDistrict() + ", " + petition.county() + " County");
    label(candidate, "Primary election", LONG_DATE.format(petition.electionDate()));
    document.add(candidate);

    PdfPTable lines = new PdfPTable(LINE_WIDTHS);
    lines.setWidthPercentage(100);
    lines.setSpacingBefore(8);
    for (String h : List.of("", "Date", "Signature", "Name of signer", "Residence", "ED")) {
      lines.addCell(PdfDocuments.headerCell(h));
    }
    for (int i = 0; i < LINES_PER_SHEET; i++) {
      Signer s = i < signers.size() ? signers.get(i) : null;
      lines.addCell(line(String.valueOf(i + 1)));
      lines.addCell(line(null));
      lines.addCell(line(null));
      lines.addCell(line(s == null ? null : s.name()));
      lines.addCell(line(s == null ? null : s.residence()));
      lines.addCell(line(s == null ? null : String.valueOf(s.electionDistrict())));
    }
    document.add(lines);

    Paragraph witness =
        new Paragraph(
            "STATEMENT OF WITNESS. I, ______________________________ (name of witness), state"
                + " that I am a qualified voter of the State of New York and an enrolled voter of"
                + " the "
                + party
                + " Party, residing at ____________________________________________. Each person"
                + " who signed this sheet signed it in my presence on the date shown beside the"
                + " signature and identified themselves to me as the person named. I understand"
                + " that this statement is the equivalent of an affidavit, and that a false"
                + " statement in it is punishable as if made under oath.",
            PdfDocuments.SMALL);
    witness.setAlignment(Element.ALIGN_JUSTIFIED);
    witness.setSpacingBefore(8);
    document.add(witness);
    Paragraph signature =
        new Paragraph(
            "Date: ______________        Signature of witness:"
                + " ____________________________________",
            PdfDocuments.TEXT);
    signature.setSpacingBefore(14);
    document.add(signature);
  }

  private static void label(PdfPTable table, String label, String value) {
    table.addCell(PdfDocuments.cell(label, PdfDocuments.BOLD));
    table.addCell(PdfDocuments.cell(value, PdfDocuments.TEXT));
  }

  private static PdfPCell line(@Nullable String text) {
    PdfPCell cell = PdfDocuments.cell(text, PdfDocuments.TEXT);
    cell.setFixedHeight(LINE_HEIGHT);
    cell.setVerticalAlignment(Element.ALIGN_MIDDLE);
    return cell;
  }

  private static Signer signer(ResultSet rs) throws SQLException {
    StringJoiner name = new StringJoiner(" ");
    name.add(rs.getString("first_name"));
    addIfPresent(name, rs.getString("middle_name"));
    name.add(rs.getString("last_name"));
    addIfPresent(name, rs.getString("suffix"));
    String residence =
        rs.getString("street_address")
            + ", "
            + rs.getString("city")
            + " "
            + rs.getString("zip_code");
    return new Signer(name.toString(), residence, rs.getInt("election_district"));
  }

  private static void addIfPresent(StringJoiner joiner, @Nullable String part) {
    if (part != null && !part.isBlank()) {
      joiner.add(part);
    }
  }
}
