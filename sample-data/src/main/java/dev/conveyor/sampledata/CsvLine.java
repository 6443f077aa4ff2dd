package dev.conveyor.sampledata;

import java.io.IOException;
import java.io.Writer;
import org.jspecify.annotations.Nullable;

/**
 * Builds one CSV record (RFC 4180 quoting) for both PostgreSQL's {@code COPY … (FORMAT csv)}, where
 * an unquoted empty field is NULL, and the voter files. Reused across rows to spare garbage.
 */
final class CsvLine {

  private final StringBuilder line = new StringBuilder(256);
  private final String lineEnd;
  private int fields;

  /** {@code lineEnd}: {@code "\n"} for COPY, {@code "\r\n"} for files (RFC 4180). */
  CsvLine(String lineEnd) {
    this.lineEnd = lineEnd;
  }

  CsvLine add(@Nullable Object value) {
    separate();
    if (value == null) {
      return this;
    }
    String s = value.toString();
    boolean quote =
        s.isEmpty()
            || s.indexOf(',') >= 0
            || s.indexOf('"') >= 0
            || s.indexOf('\r') >= 0
            || s.indexOf('\n') >= 0
            || s.charAt(0) == ' '
            || s.charAt(s.length() - 1) == ' ';
    if (quote) {
      line.append('"').append(s.replace("\"", "\"\"")).append('"');
    } else {
      line.append(s);
    }
    return this;
  }

  private void separate() {
    if (fields++ > 0) {
      line.append(',');
    }
  }

  void writeTo(Writer out) throws IOException {
    out.append(line).append(lineEnd);
    line.setLength(0);
    fields = 0;
  }
}
