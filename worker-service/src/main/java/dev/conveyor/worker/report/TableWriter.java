package dev.conveyor.worker.report;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Writes tables (each a header row, then data rows) to a stream as it goes, holding at most a
 * bounded number of rows in memory. Values are {@code String}, {@code Number}, {@code LocalDate} or
 * null. A file starts with one table; {@link #nextTable} starts another.
 */
interface TableWriter extends AutoCloseable {

  void header(List<String> names) throws IOException;

  void row(List<@Nullable Object> values) throws IOException;

  /**
   * Ends the current table and starts another, named {@code name}, whose {@link #header} comes
   * next: a new sheet in XLSX; in CSV, one empty line and then the next table's header.
   */
  void nextTable(String name) throws IOException;

  /** Finishes the file (the stream is flushed, not closed). */
  @Override
  void close() throws IOException;

  /** The writer for a report format, writing to {@code out}. */
  static TableWriter forFormat(String format, String sheetName, OutputStream out) {
    return switch (format) {
      case "CSV" -> new CsvTableWriter(out);
      case "XLSX" -> new XlsxTableWriter(out, sheetName);
      default -> throw new IllegalArgumentException("no table writer for format " + format);
    };
  }
}
