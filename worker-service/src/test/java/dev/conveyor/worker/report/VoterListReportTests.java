package dev.conveyor.worker.report;

import static dev.conveyor.worker.report.GeneratorRun.jdbc;
import static dev.conveyor.worker.report.GeneratorRun.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.worker.TestFiles;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.dhatim.fastexcel.reader.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** voterList against README's contract: filters, columns, order, formats, an empty result. */
class VoterListReportTests {

  final Registry registry = new Registry(jdbc);
  final VoterListReport generator = new VoterListReport(new RegistryAccess(jdbc, json, 2));
  String county;

  /**
   * AD 60: ED 2 Baker (DEM ACTIVE), ED 1 Young (REP INACTIVE), ED 1 Adams Zoe and Adams Amy (DEM
   * ACTIVE, DEM PURGED). AD 7 ED 9: Moss (CON ACTIVE). Another county's voter in AD 60 ED 1.
   */
  @BeforeEach
  void registry() {
    county = Registry.county("List");
    registry.voter(county, 60, 2, "DEM", "ACTIVE", "Baker", "Bo", "1 Elm St");
    registry.voter(county, 60, 1, "REP", "INACTIVE", "Young", "Yul", "2 Elm St");
    registry.voter(county, 60, 1, "DEM", "ACTIVE", "Adams", "Zoe", "3 Elm St");
    registry.voter(county, 60, 1, "DEM", "PURGED", "Adams", "Amy", "4 Elm St");
    registry.voter(county, 7, 9, "CON", "ACTIVE", "Moss", "Mo", "5 Elm St");
    registry.voter(county + " Other", 60, 1, "DEM", "ACTIVE", "Else", "Where", "6 Elm St");
  }

  private List<List<String>> csv(String extra) {
    String parameters = "{\"county\":\"" + county + "\"" + extra + "}";
    return TestFiles.parseCsv(GeneratorRun.of(generator, "CSV", parameters).text());
  }

  private static List<String> names(List<List<String>> rows) {
    return rows.subList(1, rows.size()).stream().map(r -> r.get(1) + " " + r.get(2)).toList();
  }

  /**
   * The report is read in slices of 2 rows here, each after the previous slice's last row: voters
   * of the same name in the same district (told apart only by their id) straddle slice boundaries,
   * and each must come exactly once, in id order, as one query over the whole list gives them.
   */
  @Test
  void namesakesAcrossSliceBoundariesComeOnceEachInVoterIdOrder() {
    String namesakes = Registry.county("Namesakes");
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 7; i++) {
      ids.add(
          registry.stateVoterId(
              registry.voter(namesakes, 60, 1, "DEM", "ACTIVE", "Smith", "Al", i + " Elm St")));
    }
    registry.voter(namesakes, 60, 1, "DEM", "ACTIVE", "Smith", "Ab", "Z St");
    registry.voter(namesakes, 60, 2, "DEM", "ACTIVE", "Aaron", "Al", "Y St");

    List<List<String>> rows =
        TestFiles.parseCsv(
            GeneratorRun.of(generator, "CSV", "{\"county\":\"" + namesakes + "\"}").text());

    assertThat(names(rows))
        .containsExactly(
            "Smith Ab",
            "Smith Al",
            "Smith Al",
            "Smith Al",
            "Smith Al",
            "Smith Al",
            "Smith Al",
            "Smith Al",
            "Aaron Al");
    assertThat(rows.subList(2, 9).stream().map(r -> r.get(0)).toList())
        .containsExactlyElementsOf(ids);
  }

  @Test
  void theWholeCountyInDistrictThenNameOrderWithTheDocumentedColumns() {
    List<List<String>> rows = csv("");

    assertThat(rows.getFirst())
        .containsExactly(
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
    assertThat(names(rows))
        .containsExactly("Moss Mo", "Adams Amy", "Adams Zoe", "Young Yul", "Baker Bo");
    assertThat(rows.get(2).subList(1, 15))
        .containsExactly(
            "Adams",
            "Amy",
            "",
            "",
            "1970-01-01",
            "4 Elm St",
            "Albany",
            "12207",
            county,
            "60",
            "1",
            "DEM",
            "PURGED",
            "2000-01-01");
  }

  @Test
  void eachFilterNarrowsTheRows() {
    assertThat(names(csv(",\"assemblyDistrict\":60")))
        .containsExactly("Adams Amy", "Adams Zoe", "Young Yul", "Baker Bo");
    assertThat(names(csv(",\"assemblyDistrict\":60,\"electionDistrict\":1")))
        .containsExactly("Adams Amy", "Adams Zoe", "Young Yul");
    assertThat(names(csv(",\"party\":\"DEM\"")))
        .containsExactly("Adams Amy", "Adams Zoe", "Baker Bo");
    assertThat(names(csv(",\"status\":\"ACTIVE\"")))
        .containsExactly("Moss Mo", "Adams Zoe", "Baker Bo");
    assertThat(names(csv(",\"assemblyDistrict\":60,\"party\":\"DEM\",\"status\":\"ACTIVE\"")))
        .containsExactly("Adams Zoe", "Baker Bo");
  }

  @Test
  void noMatchingVoterGivesAHeaderOnlyFile() {
    List<List<String>> rows = csv(",\"assemblyDistrict\":150");
    assertThat(rows).hasSize(1);
    assertThat(rows.getFirst()).isEqualTo(VoterListReport.COLUMNS);

    GeneratorRun xlsx =
        GeneratorRun.of(
            generator, "XLSX", "{\"county\":\"" + county + "\",\"assemblyDistrict\":150}");
    Map<String, List<Row>> sheets = TestFiles.xlsxSheets(xlsx.bytes());
    assertThat(sheets.keySet()).containsExactly("Voters");
    assertThat(sheets.get("Voters")).hasSize(1);
  }

  @Test
  void xlsxHasTheSheetVotersWithNumbersAndDates() {
    GeneratorRun run =
        GeneratorRun.of(generator, "XLSX", "{\"county\":\"" + county + "\",\"party\":\"CON\"}");
    List<Row> rows = TestFiles.xlsxSheets(run.bytes()).get("Voters");

    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).getCellText(0)).isEqualTo("State Voter ID");
    assertThat(rows.get(1).getCellText(1)).isEqualTo("Moss");
    assertThat(rows.get(1).getCellAsNumber(10)).contains(BigDecimal.valueOf(7));
    assertThat(rows.get(1).getCellAsDate(5).orElseThrow().toLocalDate())
        .isEqualTo(LocalDate.of(1970, 1, 1));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"assemblyDistrict\":60}",
        "{\"county\":\"Kings\",\"electionDistrict\":1}",
        "{\"county\":\"Kings\",\"assemblyDistrict\":151}",
        "{\"county\":\"Kings\",\"party\":\"GRN\"}",
        "{\"county\":\"Kings\",\"status\":\"DEAD\"}"
      })
  void unusableParametersAreRefused(String parameters) {
    assertThatThrownBy(() -> GeneratorRun.of(generator, "CSV", parameters))
        .isInstanceOfSatisfying(
            InvalidReportException.class,
            e -> assertThat(e.code()).isEqualTo("INVALID_PARAMETERS"));
  }
}
