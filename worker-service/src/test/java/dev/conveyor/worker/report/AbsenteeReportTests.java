package dev.conveyor.worker.report;

import static dev.conveyor.worker.report.GeneratorRun.jdbc;
import static dev.conveyor.worker.report.GeneratorRun.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.queue.JobFailure;
import dev.conveyor.worker.TestFiles;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.dhatim.fastexcel.reader.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AbsenteeReportTests {

  static final LocalDate ELECTION = LocalDate.of(2026, 11, 3);
  final Registry registry = new Registry(jdbc);
  final AbsenteeReport generator = new AbsenteeReport(new RegistryAccess(jdbc, json, 2));
  String county;

  /**
   * AD 30: ED 1 has 2 requested + 1 sent; ED 2 has 1 accepted + 1 rejected. AD 31 ED 4: 1
   * cancelled. Not counted: another election, another county.
   */
  @BeforeEach
  void registry() {
    county = Registry.county("Absentee");
    app(30, 1, "Young", "REQUESTED");
    app(30, 1, "Adams", "REQUESTED");
    app(30, 1, "Baker", "SENT");
    app(30, 2, "Cole", "ACCEPTED");
    app(30, 2, "Diaz", "REJECTED");
    app(31, 4, "Evans", "CANCELLED");
    long other = registry.voter(county, 30, 1, "DEM", "ACTIVE", "Other", "Election", "1 Elm St");
    registry.application(other, ELECTION.plusYears(1), "REQUESTED");
    long elsewhere =
        registry.voter(county + " Other", 30, 1, "DEM", "ACTIVE", "Else", "Where", "1 Elm St");
    registry.application(elsewhere, ELECTION, "REQUESTED");
  }

  private long app(int ad, int ed, String last, String status) {
    long voter = registry.voter(county, ad, ed, "REP", "ACTIVE", last, "Pat", "2 Oak St");
    registry.application(voter, ELECTION, status);
    return voter;
  }

  private String params(String extra) {
    return "{\"county\":\"" + county + "\",\"electionDate\":\"" + ELECTION + "\"" + extra + "}";
  }

  @Nested
  class Csv {

    @Test
    void summaryThenAnEmptyLineThenTheApplications() {
      GeneratorRun run = GeneratorRun.of(generator, "CSV", params(""));
      List<List<String>> rows = TestFiles.parseCsv(run.text());

      assertThat(rows.get(0))
          .containsExactly(
              "Assembly District",
              "Election District",
              "Requested",
              "Sent",
              "Returned",
              "Accepted",
              "Rejected",
              "Cancelled",
              "Total");
      assertThat(rows.subList(1, 5))
          .containsExactly(
              List.of("30", "1", "2", "1", "0", "0", "0", "0", "3"),
              List.of("30", "2", "0", "0", "0", "1", "1", "0", "2"),
              List.of("31", "4", "0", "0", "0", "0", "0", "1", "1"),
              List.of("Total", "", "2", "1", "0", "1", "1", "1", "6"));
      assertThat(rows.get(5)).containsExactly("");
      assertThat(rows.get(6)).isEqualTo(AbsenteeReport.DETAIL_COLUMNS);
      assertThat(rows.subList(7, rows.size()))
          .extracting(r -> r.get(1) + "/" + r.get(3) + "/" + r.get(4) + "/" + r.get(8))
          .containsExactly(
              "Adams/30/1/REQUESTED",
              "Baker/30/1/SENT",
              "Young/30/1/REQUESTED",
              "Cole/30/2/ACCEPTED",
              "Diaz/30/2/REJECTED",
              "Evans/31/4/CANCELLED");
      // Baker's application was sent (requested 30 days before, sent 5 days later), not returned.
      assertThat(rows.get(8).subList(5, 8)).containsExactly("2026-10-04", "2026-10-09", "");
      assertThat(rows.get(10).get(7)).isEqualTo("2026-10-19");
    }

    @Test
    void assemblyDistrictAndStatusNarrowBothTables() {
      GeneratorRun run =
          GeneratorRun.of(
              generator, "CSV", params(",\"assemblyDistrict\":30,\"status\":\"REQUESTED\""));
      List<List<String>> rows = TestFiles.parseCsv(run.text());

      assertThat(rows.subList(0, 3))
          .containsExactly(
              List.of("Assembly District", "Election District", "Requested", "Total"),
              List.of("30", "1", "2", "2"),
              List.of("Total", "", "2", "2"));
      assertThat(rows.get(3)).containsExactly("");
      assertThat(rows.subList(5, rows.size()))
          .extracting(r -> r.get(1))
          .containsExactly("Adams", "Young");
    }

    @Test
    void anElectionWithoutApplicationsHasTheHeadersAndAZeroTotal() {
      GeneratorRun run =
          GeneratorRun.of(
              generator, "CSV", "{\"county\":\"" + county + "\",\"electionDate\":\"1999-01-01\"}");
      List<List<String>> rows = TestFiles.parseCsv(run.text());

      assertThat(rows).hasSize(4);
      assertThat(rows.get(1)).containsExactly("Total", "", "0", "0", "0", "0", "0", "0", "0");
      assertThat(rows.get(3)).isEqualTo(AbsenteeReport.DETAIL_COLUMNS);
    }
  }

  @Test
  void xlsxHasASummarySheetAndAnApplicationsSheet() {
    GeneratorRun run = GeneratorRun.of(generator, "XLSX", params(""));
    Map<String, List<Row>> sheets = TestFiles.xlsxSheets(run.bytes());

    assertThat(sheets.keySet()).containsExactly("Summary", "Applications");
    List<Row> summary = sheets.get("Summary");
    assertThat(summary).hasSize(5);
    assertThat(summary.get(1).getCellAsNumber(0)).contains(BigDecimal.valueOf(30));
    assertThat(summary.get(1).getCellAsNumber(2)).contains(BigDecimal.valueOf(2));
    assertThat(summary.get(4).getCellText(0)).isEqualTo("Total");
    assertThat(summary.get(4).getCellAsNumber(8)).contains(BigDecimal.valueOf(6));
    List<Row> applications = sheets.get("Applications");
    assertThat(applications).hasSize(7);
    assertThat(applications.get(0).getCellText(0)).isEqualTo("State Voter ID");
    assertThat(applications.get(1).getCellText(1)).isEqualTo("Adams");
    assertThat(applications.get(1).getCellAsDate(5).orElseThrow().toLocalDate())
        .isEqualTo(ELECTION.minusDays(30));
  }

  @Test
  void progressCountsDistrictsAndApplications() {
    GeneratorRun run = GeneratorRun.of(generator, "CSV", params(""));

    // 3 districts + 6 applications = 9 steps: 11%, 22%, ... 99% at the last.
    assertThat(run.progress()).isSorted().doesNotHaveDuplicates().hasSize(9);
    assertThat(run.progress().getLast()).isEqualTo(99);
  }

  @Test
  void aCancelledReportStopsWhileStreaming() {
    for (int i = 0; i < 300; i++) {
      app(32, 1, "Many" + i, "REQUESTED");
    }
    assertThatThrownBy(() -> GeneratorRun.of(generator, "CSV", params(""), true))
        .isInstanceOf(JobFailure.Cancelled.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"electionDate\":\"2026-11-03\"}",
        "{\"county\":\"Kings\"}",
        "{\"county\":\"Kings\",\"electionDate\":\"11/03/2026\"}",
        "{\"county\":\"Kings\",\"electionDate\":\"2026-11-03\",\"assemblyDistrict\":151}",
        "{\"county\":\"Kings\",\"electionDate\":\"2026-11-03\",\"status\":\"LOST\"}"
      })
  void unusableParametersAreRefused(String parameters) {
    assertThatThrownBy(() -> GeneratorRun.of(generator, "CSV", parameters))
        .isInstanceOfSatisfying(
            InvalidReportException.class,
            e -> assertThat(e.code()).isEqualTo("INVALID_PARAMETERS"));
  }
}
