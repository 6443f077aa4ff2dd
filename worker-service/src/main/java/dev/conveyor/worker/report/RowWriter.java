package dev.conveyor.worker.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.springframework.jdbc.core.RowCallbackHandler;

/**
 * Writes one row of a streamed query into a report file. {@link #each} adapts it to JDBC's row
 * callback, which may not throw {@link IOException}: one leaves the query as {@link
 * UncheckedIOException} (and the attempt is retried like any other failure).
 */
@FunctionalInterface
interface RowWriter {

  void write(ResultSet rs) throws SQLException, IOException;

  static RowCallbackHandler each(RowWriter writer) {
    return rs -> {
      try {
        writer.write(rs);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }
}
