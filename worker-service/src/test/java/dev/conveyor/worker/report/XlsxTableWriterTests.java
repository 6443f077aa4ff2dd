package dev.conveyor.worker.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipFile;
import org.dhatim.fastexcel.reader.Cell;
import org.dhatim.fastexcel.reader.CellType;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XlsxTableWriterTests {

  @TempDir Path dir;

  /**
   * CSV needs an apostrophe against formula injection; XLSX does not, because text is written as an
   * inline string cell, which a spreadsheet never evaluates. This pins that.
   */
  @Test
  void textThatLooksLikeAFormulaIsAStringCellNeverAFormula() throws IOException {
    List<String> texts =
        List.of("=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@SUM(A1)", "Zoë 😀");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (XlsxTableWriter xlsx = new XlsxTableWriter(out, "Voters")) {
      xlsx.header(List.of("a", "b", "c", "d", "e"));
      xlsx.row(Arrays.asList(texts.toArray()));
    }

    String sheet = entry(out.toByteArray(), "xl/worksheets/sheet1.xml");
    assertThat(sheet).doesNotContain("<f>").doesNotContain("<f ");
    assertThat(sheet.split("t=\"inlineStr\"", -1)).hasSize(texts.size() + 1);
    try (ReadableWorkbook workbook =
        new ReadableWorkbook(new ByteArrayInputStream(out.toByteArray()))) {
      Row row = workbook.getFirstSheet().read().get(1);
      assertThat(row.stream().map(Cell::getType)).containsOnly(CellType.STRING);
      assertThat(row.stream().map(Cell::getRawValue)).containsExactlyElementsOf(texts);
    }
  }

  /** Through a file: fastexcel's local headers say size 0, which ZipInputStream refuses. */
  private String entry(byte[] zip, String name) throws IOException {
    Path file = Files.write(dir.resolve("report.xlsx"), zip);
    try (ZipFile z = new ZipFile(file.toFile())) {
      return new String(z.getInputStream(z.getEntry(name)).readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
