package dev.conveyor.worker.report;

import static dev.conveyor.worker.report.GeneratorRun.jdbc;
import static dev.conveyor.worker.report.GeneratorRun.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.worker.TestFiles;
import java.util.List;
import java.util.Map;
import org.dhatim.fastexcel.reader.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LdCommitteesReportTests {

  final Registry registry = new Registry(jdbc);
  final LdCommitteesReport generator = new LdCommitteesReport(new RegistryAccess(jdbc, json, 2));
  String county;

  /**
   * AD 40 has voters in EDs 1, 2 and 3. DEM members: ED 1 full (a chair linked to her voter record,
   * and a member without one); ED 2 one member; ED 3 nobody; ED 5 (no voters) three members. A REP
   * member in ED 2 and a DEM member of AD 41 are someone else's committee.
   */
  @BeforeEach
  void registry() {
    county = Registry.county("Committee");
    long chair = registry.voter(county, 40, 1, "DEM", "ACTIVE", "Chen", "Amy", "10 Pine St");
    registry.voter(county, 40, 2, "REP", "ACTIVE", "Rossi", "Bob", "11 Pine St");
    registry.voter(county, 40, 3, "DEM", "INACTIVE", "Soto", "Cy", "12 Pine St");
    registry.member(county, 40, 1, "DEM", "MEMBER", "Zed Moore", null);
    registry.member(county, 40, 1, "DEM", "CHAIR", "Amy Chen", chair);
    registry.member(county, 40, 2, "DEM", "MEMBER", "Dee Park", null);
    registry.member(county, 40, 5, "DEM", "MEMBER", "Eve Lang", null);
    registry.member(county, 40, 5, "DEM", "MEMBER", "Fay Lang", null);
    registry.member(county, 40, 5, "DEM", "DISTRICT_LEADER", "Gus Lang", null);
    registry.member(county, 40, 2, "REP", "MEMBER", "Hal Rep", null);
    registry.member(county, 41, 1, "DEM", "MEMBER", "Ida Next", null);
  }

  private String params() {
    return "{\"county\":\"" + county + "\",\"assemblyDistrict\":40,\"party\":\"DEM\"}";
  }

  @Test
  void xlsxListsMembersByElectionDistrictWithVacancies() {
    GeneratorRun run = GeneratorRun.of(generator, "XLSX", params());
    Map<String, List<Row>> sheets = TestFiles.xlsxSheets(run.bytes());

    assertThat(sheets.keySet()).containsExactly("AD 40 DEM");
    List<Row> rows = sheets.get("AD 40 DEM");
    assertThat(rows.getFirst().getCellText(3)).isEqualTo("Name");
    assertThat(rows.subList(1, rows.size()))
        .extracting(
            r ->
                r.getCellText(0)
                    + "|"
                    + r.getCellText(1)
                    + "|"
                    + r.getCellText(2)
                    + "|"
                    + r.getCellText(3)
                    + "|"
                    + r.getCellText(4))
        .containsExactly(
            "1|1|Chair|Amy Chen|10 Pine St",
            "1|2|Member|Zed Moore|",
            "2|1|Member|Dee Park|",
            "2|2||VACANCY|",
            "3|1||VACANCY|",
            "3|2||VACANCY|",
            "5|1|District Leader|Gus Lang|",
            "5|2|Member|Eve Lang|",
            "5|3|Member|Fay Lang|");
    assertThat(rows.get(1).getCellText(5)).isEqualTo("Albany");
    assertThat(rows.get(1).getCellText(6)).isEqualTo("12207");
  }

  @Test
  void pdfHasTheTitleAndTheSameLines() {
    GeneratorRun run = GeneratorRun.of(generator, "PDF", params());
    List<String> pages = TestFiles.pdfPages(run.bytes());

    assertThat(pages).hasSize(1);
    String text = pages.getFirst();
    assertThat(text)
        .contains("County Committee, Democratic Party")
        .contains(county + " County, Assembly District 40")
        .contains("2 seats per election district");
    assertThat(text.lines().filter(l -> l.endsWith(" VACANCY")))
        .containsExactly("2 2 VACANCY", "3 1 VACANCY", "3 2 VACANCY");
    assertThat(text)
        .containsSubsequence(
            "Amy Chen", "10 Pine St", "Zed Moore", "Dee Park", "Gus Lang", "Eve Lang", "Fay Lang")
        .doesNotContain("Hal Rep")
        .doesNotContain("Ida Next");
  }

  @Test
  void aLongCommitteeRunsOverSeveralPagesWithTheHeaderOnEach() {
    for (int ed = 1; ed <= 60; ed++) {
      registry.voter(county, 42, ed, "DEM", "ACTIVE", "V" + ed, "W", "1 Main St");
      registry.member(county, 42, ed, "DEM", "MEMBER", "Member " + ed, null);
    }
    GeneratorRun run =
        GeneratorRun.of(
            generator,
            "PDF",
            "{\"county\":\"" + county + "\",\"assemblyDistrict\":42,\"party\":\"DEM\"}");
    List<String> pages = TestFiles.pdfPages(run.bytes());

    assertThat(pages).hasSizeGreaterThan(1);
    assertThat(pages)
        .allSatisfy(p -> assertThat(p).contains("Seat Role Name Street Address City ZIP Code"));
    List<String> lines = String.join("\n", pages).lines().toList();
    assertThat(lines.stream().filter(l -> l.endsWith(" VACANCY"))).hasSize(60);
    assertThat(lines).contains("1 1 Member Member 1", "60 1 Member Member 60");
  }

  @Test
  void anAssemblyDistrictWithoutVotersOrMembersGivesHeaderOnlyFiles() {
    String empty = "{\"county\":\"" + county + "\",\"assemblyDistrict\":99,\"party\":\"DEM\"}";
    List<Row> rows =
        TestFiles.xlsxSheets(GeneratorRun.of(generator, "XLSX", empty).bytes()).get("AD 99 DEM");
    assertThat(rows).hasSize(1);
    assertThat(rows.getFirst().getCellText(3)).isEqualTo("Name");

    List<String> pages = TestFiles.pdfPages(GeneratorRun.of(generator, "PDF", empty).bytes());
    assertThat(pages).hasSize(1);
    // README: "PDF: a titled table whose header repeats on every page", so the one page has it.
    assertThat(pages.getFirst())
        .contains(county + " County, Assembly District 99")
        .contains("Seat Role Name Street Address City ZIP Code");
    assertThat(pages.getFirst().lines().filter(l -> l.endsWith(" VACANCY"))).isEmpty();
  }

  @Test
  void progressStepsOncePerLine() {
    GeneratorRun run = GeneratorRun.of(generator, "XLSX", params());

    // 9 lines: 11%, 22%, ... 99%.
    assertThat(run.progress()).hasSize(9).isSorted().doesNotHaveDuplicates();
    assertThat(run.progress().getLast()).isEqualTo(99);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"assemblyDistrict\":40,\"party\":\"DEM\"}",
        "{\"county\":\"Kings\",\"party\":\"DEM\"}",
        "{\"county\":\"Kings\",\"assemblyDistrict\":0,\"party\":\"DEM\"}",
        "{\"county\":\"Kings\",\"assemblyDistrict\":40}",
        "{\"county\":\"Kings\",\"assemblyDistrict\":40,\"party\":\"BLK\"}"
      })
  void unusableParametersAreRefused(String parameters) {
    assertThatThrownBy(() -> GeneratorRun.of(generator, "PDF", parameters))
        .isInstanceOfSatisfying(
            InvalidReportException.class,
            e -> assertThat(e.code()).isEqualTo("INVALID_PARAMETERS"));
  }
}
