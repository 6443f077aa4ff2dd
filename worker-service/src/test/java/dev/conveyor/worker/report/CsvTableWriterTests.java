package dev.conveyor.worker.report;

import static org.assertj.core.api.Assertions.assertThat;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTableWriterTests {

  @Test
  void quotesOnlyWhatRfc4180RequiresAndEndsLinesWithCrLf() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CsvTableWriter csv = new CsvTableWriter(out)) {
      csv.header(List.of("a", "b", "c", "d", "e", "f"));
      csv.row(
          Arrays.asList(
              "plain", "O\"Brien, Jr.", "line\nbreak", null, 42, LocalDate.of(1980, 2, 29)));
      csv.row(Arrays.asList(" padded", "", "Zoë", "x\r", "a,b", "\""));
    }
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "a,b,c,d,e,f\r\n"
                + "plain,\"O\"\"Brien, Jr.\",\"line\nbreak\",,42,1980-02-29\r\n"
                + "\" padded\",,Zoë,\"x\r\",\"a,b\",\"\"\"\"\r\n");
  }

  @Test
  void textThatASpreadsheetWouldRunAsAFormulaIsDefused() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CsvTableWriter csv = new CsvTableWriter(out)) {
      csv.row(
          Arrays.asList(
              "=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "O-Neil", -3, ""));
    }
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo("\"'=HYPERLINK(\"\"http://x\"\")\",'+1,'-2,'@SUM(A1),'\tx,O-Neil,-3,\r\n");
  }

  @Test
  void aLeadingHashInAFirstFieldIsQuotedSoNoReaderTakesTheRecordForAComment() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CsvTableWriter csv = new CsvTableWriter(out)) {
      csv.row(Arrays.asList("#1 Main St", "#2"));
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("\"#1 Main St\",#2\r\n");
  }

  @Test
  void tablesAreSeparatedByOneEmptyLineAndTheStreamStaysOpen() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CsvTableWriter csv = new CsvTableWriter(out)) {
      csv.header(List.of("a"));
      csv.row(Arrays.asList(1));
      csv.nextTable("second");
      csv.header(List.of("b"));
    }
    out.write('x');
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("a\r\n1\r\n\r\nb\r\nx");
  }

  /** What the writer writes, a reader reads back as it was (voterImport reads with FastCSV). */
  @Test
  void readsBackFieldForField() throws Exception {
    List<String> values =
        List.of(
            "plain", "O\"Brien, Jr.", "line\r\nbreak", "", " padded ", "#hash", "Zoë", "a\"b\"");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (CsvTableWriter csv = new CsvTableWriter(out, false)) {
      csv.row(List.copyOf(values));
      csv.row(List.copyOf(values.reversed()));
    }
    try (CsvReader<CsvRecord> reader =
        CsvReader.builder().ofCsvRecord(out.toString(StandardCharsets.UTF_8))) {
      List<List<String>> read = reader.stream().map(CsvRecord::getFields).toList();
      assertThat(read).containsExactly(values, values.reversed());
    }
  }
}
