package dev.conveyor.sampledata;

import de.siegmar.fastcsv.writer.CsvWriter;
import de.siegmar.fastcsv.writer.LineDelimiter;
import de.siegmar.fastcsv.writer.QuoteStrategy;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Collects one CSV record of mixed values (text, numbers, dates, null) for FastCSV's {@link
 * CsvWriter}, which does the RFC 4180 quoting, both for PostgreSQL's {@code COPY … (FORMAT csv)}
 * and for the voter files. Reused across rows to spare garbage.
 *
 * <p>Null is an unquoted empty field and the empty string a quoted one ({@code ""}): {@code COPY}
 * reads the first as NULL and the second as an empty string. Text with a leading or trailing space
 * is quoted too, so no reader trims it.
 */
final class CsvLine {

  /** What RFC 4180 requires (FastCSV's own rules), plus empty text and edge spaces. */
  static final QuoteStrategy QUOTING =
      new QuoteStrategy() {
        @Override
        public boolean quoteEmpty(int lineNo, int fieldIdx) {
          return true;
        }

        @Override
        public boolean quoteValue(int lineNo, int fieldIdx, String value) {
          return value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' ';
        }
      };

  private final List<@Nullable String> fields = new ArrayList<>(16);

  /** A writer for {@code COPY … (FORMAT csv)}: LF line ends; closing it ends the copy. */
  static CsvWriter forCopy(OutputStream out, int bufferSize) {
    return CsvWriter.builder()
        .quoteStrategy(QUOTING)
        .lineDelimiter(LineDelimiter.LF)
        .bufferSize(bufferSize)
        .build(out, StandardCharsets.UTF_8);
  }

  /** A writer for a CSV file: CRLF line ends (RFC 4180). */
  static CsvWriter forFile(OutputStream out) {
    return CsvWriter.builder()
        .quoteStrategy(QUOTING)
        .lineDelimiter(LineDelimiter.CRLF)
        .bufferSize(64 * 1024)
        .build(out, StandardCharsets.UTF_8);
  }

  CsvLine add(@Nullable Object value) {
    fields.add(value == null ? null : value.toString());
    return this;
  }

  /**
   * Writes the record and starts the next one.
   *
   * @throws java.io.UncheckedIOException when the stream fails (FastCSV's way)
   */
  void writeTo(CsvWriter out) {
    out.writeRecord(fields);
    fields.clear();
  }
}
