package dev.conveyor.worker.report;

import java.io.IOException;
import java.io.OutputStream;
import java.time.LocalDate;
import java.util.List;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.jspecify.annotations.Nullable;

/**
 * XLSX through fastexcel, which writes the zip as it goes: rows are flushed to the stream every
 * {@value #FLUSH_EVERY} rows and data strings are written inline, so memory stays bounded whatever
 * the row count. A sheet holds at most {@value #MAX_ROWS} rows, the format's limit. Each table is a
 * sheet; a sheet is finished (written out whole) before the next one starts, as fastexcel requires
 * of flushed sheets.
 */
final class XlsxTableWriter implements TableWriter {

  static final int MAX_ROWS = 1_048_576;
  private static final int FLUSH_EVERY = 1_000;

  private final Workbook workbook;
  private Worksheet sheet;
  private int row;

  XlsxTableWriter(OutputStream out, String sheetName) {
    this.workbook = new Workbook(out, "Conveyor", "1.0");
    this.sheet = workbook.newWorksheet(sheetName);
  }

  @Override
  public void header(List<String> names) throws IOException {
    for (int c = 0; c < names.size(); c++) {
      sheet.value(row, c, names.get(c));
      sheet.style(row, c).bold().set();
    }
    next();
  }

  @Override
  public void row(List<@Nullable Object> values) throws IOException {
    if (row >= MAX_ROWS) {
      throw new TooManyRowsException(
          "the report has more rows than an XLSX sheet can hold (" + MAX_ROWS + ")");
    }
    for (int c = 0; c < values.size(); c++) {
      Object value = values.get(c);
      switch (value) {
        case null -> {}
        case Number n -> sheet.value(row, c, n);
        case LocalDate d -> {
          sheet.value(row, c, d);
          sheet.style(row, c).format("yyyy-mm-dd").set();
        }
        // Inline, not in the shared-strings table: that table is held in memory until the
        // workbook is finished, and names and addresses are nearly all distinct.
        default -> sheet.inlineString(row, c, value.toString());
      }
    }
    next();
  }

  @Override
  public void nextTable(String name) throws IOException {
    sheet.finish();
    sheet = workbook.newWorksheet(name);
    row = 0;
  }

  private void next() throws IOException {
    row++;
    if (row % FLUSH_EVERY == 0) {
      sheet.flush();
    }
  }

  @Override
  public void close() throws IOException {
    workbook.finish();
  }

  /** The data does not fit the format; retrying cannot help. */
  static final class TooManyRowsException extends RuntimeException {
    TooManyRowsException(String message) {
      super(message);
    }
  }
}
