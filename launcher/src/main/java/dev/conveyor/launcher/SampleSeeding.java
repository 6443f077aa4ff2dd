package dev.conveyor.launcher;

import dev.conveyor.sampledata.IfNotEmpty;
import dev.conveyor.sampledata.SampleRegistry;
import dev.conveyor.sampledata.SampleSummary;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Seeds the sample voter registry (module sample-data) into an empty database, once: the generator
 * loads in one transaction that locks the voters table and keeps a registry that already holds
 * voters ({@link IfNotEmpty#SKIP}), so a restart, or a database with real data, is left alone.
 */
final class SampleSeeding {

  private SampleSeeding() {}

  /**
   * Loads {@code voters} sample voters generated from {@code seed} unless the registry holds voters
   * already; returns a line for the user saying what happened.
   *
   * @param voters 0 to only report on the registry
   */
  static String seedIfEmpty(DataSource dataSource, int voters, long seed) throws SQLException {
    if (voters == 0) {
      long existing = countVoters(dataSource);
      return existing > 0
          ? "Voter registry holds %,d voters".formatted(existing)
          : "Voter registry is empty; not seeding (--sample-voters 0)";
    }
    SampleSummary summary = SampleRegistry.generate(dataSource, voters, seed, IfNotEmpty.SKIP);
    String where = "busiest assembly district: %s".formatted(summary.busiestAssemblyDistrict());
    return summary.loaded()
        ? "Seeded the sample registry (seed %d): %,d voters, %,d committee members, %,d absentee applications; %s"
            .formatted(
                seed,
                summary.voters(),
                summary.committeeMembers(),
                summary.absenteeApplications(),
                where)
        : "Voter registry holds %,d voters: not seeding; %s".formatted(summary.voters(), where);
  }

  private static long countVoters(DataSource dataSource) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM voters")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
