package dev.conveyor.launcher;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/** Seeds the sample voter registry into an empty database, once. */
final class SampleSeeding {

  private SampleSeeding() {}

  /**
   * Loads {@code voters} sample voters generated from {@code seed} when the registry is empty;
   * returns a line for the user saying what happened.
   */
  static String seedIfEmpty(DataSource dataSource, int voters, long seed) throws SQLException {
    long existing;
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM voters")) {
      rs.next();
      existing = rs.getLong(1);
    }
    if (existing > 0) {
      return "Voter registry holds %,d voters: not seeding".formatted(existing);
    }
    if (voters == 0) {
      return "Voter registry is empty; not seeding (--sample-voters 0)";
    }
    // TODO(sample-data): SampleRegistry.generate(dataSource, voters, seed, IfNotEmpty.SKIP)
    return "Voter registry is empty; the sample-data generator is not in this build yet";
  }
}
