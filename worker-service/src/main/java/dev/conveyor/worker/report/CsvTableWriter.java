package dev.conveyor.worker.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * RFC 4180 CSV in UTF-8: CRLF line ends; a field is quoted when it holds a comma, a quote, CR or LF
 * (or starts or ends with a space), with quotes doubled. Null is an empty field.
 *
 * <p>Text that a spreadsheet would run as a formula (it starts with {@code = + - @}, a tab or a
 * carriage return) gets a leading apostrophe, as OWASP advises against CSV injection: names and
 * addresses can come from client uploads (voterImport). Numbers and dates are written as they are.
 * CSV for a program rather than a person (voterImport's staging {@code COPY}) is written without
 * it, since there the apostrophe would become part of the value.
 */
final class CsvTableWriter implements TableWriter {

  private final Writer out;
  private final boolean defuse;

  /** CSV for spreadsheets: formula-like text is defused. */
  CsvTableWriter(OutputStream out) {
    this(out, true);
  }

  /**
   * @param defuse whether text that a spreadsheet would run as a formula gets a leading apostrophe
   */
  CsvTableWriter(OutputStream out, boolean defuse) {
    this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
    this.defuse = defuse;
  }

  @Override
  public void header(List<String> names) throws IOException {
    row(List.copyOf(names));
  }

  @Override
  public void row(List<@Nullable Object> values) throws IOException {
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      Object value = values.get(i);
      if (value instanceof String text) {
        writeField(defuse ? defused(text) : text);
      } else if (value != null) {
        writeField(value.toString());
      }
    }
    out.write("\r\n");
  }

  /** CSV has no sheets: an empty line separates the tables, and the name is not written. */
  @Override
  public void nextTable(String name) throws IOException {
    out.write("\r\n");
  }

  private static String defused(String text) {
    if (text.isEmpty()) {
      return text;
    }
    return switch (text.charAt(0)) {
      case '=', '+', '-', '@', '\t', '\r' -> "'" + text;
      default -> text;
    };
  }

  private void writeField(String s) throws IOException {
    boolean quote =
        !s.isEmpty()
            && (s.indexOf(',') >= 0
                || s.indexOf('"') >= 0
                || s.indexOf('\r') >= 0
                || s.indexOf('\n') >= 0
                || s.charAt(0) == ' '
                || s.charAt(s.length() - 1) == ' ');
    if (!quote) {
      out.write(s);
      return;
    }
    out.write('"');
    out.write(s.replace("\"", "\"\""));
    out.write('"');
  }

  @Override
  public void close() throws IOException {
    out.flush();
  }
}
