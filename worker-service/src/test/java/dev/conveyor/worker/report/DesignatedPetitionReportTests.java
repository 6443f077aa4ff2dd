package dev.conveyor.worker.report;

import static dev.conveyor.worker.report.GeneratorRun.jdbc;
import static dev.conveyor.worker.report.GeneratorRun.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.queue.JobFailure;
import dev.conveyor.worker.TestFiles;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DesignatedPetitionReportTests {

  /** A pre-filled signature line as PDFBox reads it: number, name, residence, ED. */
  static final Pattern LINE = Pattern.compile("^(\\d+) (.+), Albany 12207 (\\d+)$");

  final Registry registry = new Registry(jdbc);
  final DesignatedPetitionReport generator =
      new DesignatedPetitionReport(new RegistryAccess(jdbc, json, 7));
  String county;

  @BeforeEach
  void county() {
    county = Registry.county("Petition");
  }

  private String params(int ad, String candidate, String office) {
    return """
        {"county":"%s","assemblyDistrict":%d,"party":"WOR","office":"%s",\
        "candidateName":"%s","electionDate":"2026-06-23"}"""
        .formatted(county, ad, office, candidate);
  }

  @Test
  void activeEnrolledVotersFillTenLinesPerSheetInDistrictAndNameOrder() {
    // 23 active WOR voters in AD 50, EDs 1..3, named so that name order differs from insertion.
    for (int i = 0; i < 23; i++) {
      registry.voter(
          county, 50, 3 - i % 3, "WOR", "ACTIVE", "Name" + (char) ('Z' - i), "Al", i + " Elm St");
    }
    registry.voter(county, 50, 1, "WOR", "INACTIVE", "Inactive", "Ina", "1 Elm St");
    registry.voter(county, 50, 1, "DEM", "ACTIVE", "Democrat", "Dee", "1 Elm St");
    registry.voter(county, 51, 1, "WOR", "ACTIVE", "Neighbour", "Ned", "1 Elm St");

    GeneratorRun run =
        GeneratorRun.of(generator, "PDF", params(50, "Maria O'Neil-Díaz", "Member of Assembly"));
    List<String> pages = TestFiles.pdfPages(run.bytes());

    assertThat(pages).hasSize(3);
    for (int p = 0; p < 3; p++) {
      assertThat(pages.get(p))
          .contains("DESIGNATING PETITION")
          .contains("Working Families Party, " + county + " County, Assembly District 50")
          .contains("Sheet " + (p + 1) + " of 3")
          .contains("held on June 23, 2026")
          .contains("Maria O'Neil-Díaz")
          .contains("Member of Assembly")
          .contains("STATEMENT OF WITNESS");
    }
    List<List<String>> lines = pages.stream().map(DesignatedPetitionReportTests::lines).toList();
    assertThat(lines).extracting(List::size).containsExactly(10, 10, 3);
    assertThat(lines.get(2)).extracting(l -> l.split(" ")[0]).containsExactly("1", "2", "3");
    List<String> order =
        lines.stream().flatMap(List::stream).map(DesignatedPetitionReportTests::edAndName).toList();
    assertThat(order).isSorted().doesNotHaveDuplicates().hasSize(23);
    assertThat(String.join("\n", pages))
        .doesNotContain("Inactive")
        .doesNotContain("Democrat")
        .doesNotContain("Neighbour");
    assertThat(run.progress().getLast()).isEqualTo(99);
  }

  /**
   * The sheet count is counted before the first slice; a signer who appears between two slices (an
   * import committed meanwhile) would make "of N" wrong, so the attempt fails, to be retried.
   */
  @Test
  void signersThatChangeBetweenSlicesFailTheAttemptRatherThanMisnumberTheSheets() {
    for (int i = 0; i < 10; i++) {
      registry.voter(county, 53, 1, "WOR", "ACTIVE", "Early" + (char) ('A' + i), "Al", "1 Elm St");
    }
    boolean[] added = {false};
    DesignatedPetitionReport changing =
        new DesignatedPetitionReport(
            new RegistryAccess(
                jdbc,
                json,
                7,
                rows -> {
                  if (!added[0]) {
                    added[0] = true;
                    registry.voter(county, 53, 2, "WOR", "ACTIVE", "Late", "Lou", "2 Elm St");
                  }
                }));

    assertThatThrownBy(
            () -> GeneratorRun.of(changing, "PDF", params(53, "Sam Lee", "State Committee")))
        .isInstanceOf(DesignatedPetitionReport.RegistryChangedException.class)
        .hasMessageContaining("10 counted first");
  }

  @Test
  void aDistrictWithoutSignersGetsOneBlankSheet() {
    GeneratorRun run = GeneratorRun.of(generator, "PDF", params(52, "Sam Lee", "State Committee"));
    List<String> pages = TestFiles.pdfPages(run.bytes());

    assertThat(pages).hasSize(1);
    assertThat(pages.getFirst()).contains("Sheet 1 of 1").contains("Sam Lee");
    assertThat(lines(pages.getFirst())).isEmpty();
  }

  @Test
  void theLongestNamesTheApiAllowsStillFitOneSheetPerPage() {
    for (int i = 0; i < 20; i++) {
      registry.voter(
          county,
          53,
          1,
          "WOR",
          "ACTIVE",
          "Montgomery-Fitzwilliam" + i,
          "Bartholomew",
          "12345 North Boulevard Avenue Apartment 17C");
    }
    GeneratorRun run =
        GeneratorRun.of(generator, "PDF", params(53, "N".repeat(200), "Office ".repeat(14) + "X"));

    List<String> pages = TestFiles.pdfPages(run.bytes());
    assertThat(pages).hasSize(2);
    assertThat(pages.get(1)).contains("Sheet 2 of 2").contains("STATEMENT OF WITNESS");
  }

  @Test
  void aCancelledReportStopsWhileStreaming() {
    for (int i = 0; i < 300; i++) {
      registry.voter(county, 54, 1, "WOR", "ACTIVE", "V" + i, "W", "1 Elm St");
    }
    assertThatThrownBy(
            () -> GeneratorRun.of(generator, "PDF", params(54, "Sam Lee", "Judge"), true))
        .isInstanceOf(JobFailure.Cancelled.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"county\":\"Kings\",\"assemblyDistrict\":50,\"party\":\"WOR\",\"office\":\"Judge\","
            + "\"electionDate\":\"2026-06-23\"}",
        "{\"county\":\"Kings\",\"assemblyDistrict\":50,\"party\":\"BLK\",\"office\":\"Judge\","
            + "\"candidateName\":\"Sam\",\"electionDate\":\"2026-06-23\"}",
        "{\"county\":\"Kings\",\"assemblyDistrict\":50,\"party\":\"WOR\",\"office\":\"Judge\","
            + "\"candidateName\":\"Sam\",\"electionDate\":\"June 23\"}",
        "{\"county\":\"Kings\",\"party\":\"WOR\",\"office\":\"Judge\","
            + "\"candidateName\":\"Sam\",\"electionDate\":\"2026-06-23\"}"
      })
  void unusableParametersAreRefused(String parameters) {
    assertThatThrownBy(() -> GeneratorRun.of(generator, "PDF", parameters))
        .isInstanceOfSatisfying(
            InvalidReportException.class,
            e -> assertThat(e.code()).isEqualTo("INVALID_PARAMETERS"));
  }

  @Test
  void anOfficeLongerThanTheApiAllowsIsRefused() {
    assertThatThrownBy(() -> GeneratorRun.of(generator, "PDF", params(50, "Sam", "x".repeat(101))))
        .isInstanceOfSatisfying(
            InvalidReportException.class, e -> assertThat(e.getMessage()).contains("office"));
  }

  /** The pre-filled signature lines of a page's text. */
  static List<String> lines(String page) {
    return page.lines().filter(l -> LINE.matcher(l).matches()).toList();
  }

  /** "3 Al NameX 4 Elm St, Albany 12207 2" → "2/NameX". */
  static String edAndName(String line) {
    var m = LINE.matcher(line);
    assertThat(m.matches()).isTrue();
    String[] words = m.group(2).split(" ");
    return m.group(3) + "/" + words[1];
  }
}
