package dev.conveyor.worker.report;

import de.siegmar.fastcsv.writer.CsvWriter;
import de.siegmar.fastcsv.writer.QuoteStrategy;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * RFC 4180 CSV in UTF-8, written by FastCSV's {@link CsvWriter}: CRLF line ends; a field is quoted
 * when it holds a comma, a quote, CR or LF, when it starts or ends with a space (which some readers
 * would trim), or when it is a record's first field and starts with {@code #} (which some readers
 * take for a comment line); quotes are doubled. Null and the empty string are an empty field.
 *
 * <p>Text that a spreadsheet would run as a formula (it starts with {@code = + - @}, a tab or a
 * carriage return) gets a leading apostrophe, as OWASP advises against CSV injection: names and
 * addresses can come from client uploads (voterImport). Numbers and dates are written as they are.
 * CSV for a program rather than a person (voterImport's staging {@code COPY}) is written without
 * it, since there the apostrophe would become part of the value.
 */
final class CsvTableWriter implements TableWriter {

  /** FastCSV quotes what RFC 4180 requires; this adds text with a leading or trailing space. */
  static final QuoteStrategy SPACES =
      new QuoteStrategy() {
        @Override
        public boolean quoteValue(int lineNo, int fieldIdx, String value) {
          return value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' ';
        }
      };

  private final CsvWriter out;
  private final boolean defuse;

  /** CSV for spreadsheets: formula-like text is defused. */
  CsvTableWriter(OutputStream out) {
    this(out, true);
  }

  /**
   * @param defuse whether text that a spreadsheet would run as a formula gets a leading apostrophe
   */
  CsvTableWriter(OutputStream out, boolean defuse) {
    this.out =
        CsvWriter.builder()
            .quoteStrategy(SPACES)
            .bufferSize(64 * 1024)
            .build(out, StandardCharsets.UTF_8);
    this.defuse = defuse;
  }

  @Override
  public void header(List<String> names) throws IOException {
    row(List.copyOf(names));
  }

  @Override
  public void row(List<@Nullable Object> values) throws IOException {
    @Nullable String[] fields = new String[values.size()];
    for (int i = 0; i < fields.length; i++) {
      Object value = values.get(i);
      fields[i] =
          value instanceof String text
              ? defuse ? defused(text) : text
              : value == null ? null : value.toString();
    }
    out.writeRecord(fields);
  }

  /** CSV has no sheets: an empty line separates the tables, and the name is not written. */
  @Override
  public void nextTable(String name) throws IOException {
    out.writeRecord(List.of());
  }

  static String defused(String text) {
    if (text.isEmpty()) {
      return text;
    }
    return switch (text.charAt(0)) {
      case '=', '+', '-', '@', '\t', '\r' -> "'" + text;
      default -> text;
    };
  }

  /** Flushes FastCSV's buffer; the stream stays open (the caller owns it). */
  @Override
  public void close() throws IOException {
    out.flush();
  }
}
