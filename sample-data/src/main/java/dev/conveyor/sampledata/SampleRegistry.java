package dev.conveyor.sampledata;

import de.siegmar.fastcsv.writer.CsvWriter;
import dev.conveyor.sampledata.SampleSummary.District;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.List;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;

/**
 * Generates a deterministic, New York-style voter registry into the Conveyor database: voters in
 * ten counties (Kings, Queens, New York, Bronx, Richmond, Nassau, Westchester, Erie, Monroe,
 * Albany) with their assembly and election districts, realistic enrollment and status mixes, DEM
 * and REP county committee seats with vacancies, officers and district leaders, and absentee
 * applications for two elections ({@link #ELECTION_DATES}).
 *
 * <p>The same size and seed give the same rows, byte for byte, including {@code updated_at}; a
 * registry loaded into empty tables after {@link IfNotEmpty#REPLACE} (identity restarted) also gets
 * the same ids. Everything is written in one transaction with {@code COPY}; a failure leaves the
 * registry as it was. The voters table is locked against other writers meanwhile.
 *
 * <p>The schema must exist (the db-migrations); this class never migrates.
 */
public final class SampleRegistry {

  /** The largest registry {@link #generate} makes. */
  public static final int MAX_VOTERS = 50_000_000;

  /** The elections that absentee applications are written for: the 2025 general, 2026 primary. */
  public static final List<LocalDate> ELECTION_DATES = AbsenteeGenerator.ELECTIONS;

  /** The counties of the sample map, largest first. */
  public static final List<String> COUNTIES =
      Geography.COUNTIES.stream().map(Geography.County::name).toList();

  private static final String REGISTRY_EXISTS = sql("registry_exists.sql");
  private static final String LOCK_VOTERS = sql("lock_voters.sql");
  private static final String VOTERS_PRESENT = sql("voters_present.sql");
  private static final String TRUNCATE_REGISTRY = sql("truncate_registry.sql");
  private static final String COPY_VOTERS = sql("copy_voters.sql");
  private static final String CREATE_COMMITTEE_STAGING = sql("create_committee_staging.sql");
  private static final String COPY_COMMITTEE_STAGING = sql("copy_committee_staging.sql");
  private static final String INSERT_COMMITTEE_MEMBERS = sql("insert_committee_members.sql");
  private static final String CREATE_ABSENTEE_STAGING = sql("create_absentee_staging.sql");
  private static final String COPY_ABSENTEE_STAGING = sql("copy_absentee_staging.sql");
  private static final String INSERT_ABSENTEE_APPLICATIONS =
      sql("insert_absentee_applications.sql");
  private static final String ANALYZE_REGISTRY = sql("analyze_registry.sql");
  private static final String COUNT_REGISTRY = sql("count_registry.sql");
  private static final String BUSIEST_ASSEMBLY_DISTRICT = sql("busiest_assembly_district.sql");
  private static final String BUSIEST_ELECTION_DISTRICT = sql("busiest_election_district.sql");
  private static final String LARGEST_ENROLLMENT = sql("largest_enrollment.sql");

  private static final int COPY_BUFFER = 64 * 1024;

  private SampleRegistry() {}

  /** {@link #generate(Connection, int, long, IfNotEmpty)} with {@link IfNotEmpty#FAIL}. */
  public static SampleSummary generate(DataSource dataSource, int voters, long seed)
      throws SQLException {
    return generate(dataSource, voters, seed, IfNotEmpty.FAIL);
  }

  /** {@link #generate(Connection, int, long, IfNotEmpty)} on a connection of {@code dataSource}. */
  public static SampleSummary generate(
      DataSource dataSource, int voters, long seed, IfNotEmpty ifNotEmpty) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return generate(connection, voters, seed, ifNotEmpty);
    }
  }

  /**
   * Loads a registry of {@code voters} voters generated from {@code seed}, in one transaction of
   * its own on {@code connection} (its auto-commit setting is restored afterwards).
   *
   * @param voters 1 to {@link #MAX_VOTERS}
   * @throws IllegalStateException the registry tables are missing (migrate first), or the registry
   *     holds voters and {@code ifNotEmpty} is {@link IfNotEmpty#FAIL}
   */
  public static SampleSummary generate(
      Connection connection, int voters, long seed, IfNotEmpty ifNotEmpty) throws SQLException {
    if (voters < 1 || voters > MAX_VOTERS) {
      throw new IllegalArgumentException("voters must be from 1 to " + MAX_VOTERS);
    }
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      if (!queryBoolean(connection, REGISTRY_EXISTS)) {
        throw new IllegalStateException(
            "the voter registry tables are missing: apply the Conveyor migrations first");
      }
      execute(connection, LOCK_VOTERS);
      boolean load = true;
      if (queryBoolean(connection, VOTERS_PRESENT)) {
        switch (ifNotEmpty) {
          case FAIL ->
              throw new IllegalStateException(
                  "the voters table is not empty; replace the registry (IfNotEmpty.REPLACE,"
                      + " --if-not-empty replace) or keep it (SKIP, skip)");
          case SKIP -> load = false;
          case REPLACE -> execute(connection, TRUNCATE_REGISTRY);
        }
      }
      if (load) {
        load(connection, voters, seed);
      }
      SampleSummary summary = summary(connection, load);
      connection.commit();
      return summary;
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  /**
   * Writes a voter file for {@code voterImport}: the header and {@code rows} records for {@code
   * county} (one of {@link #COUNTIES}), {@code badRows} of them deliberately invalid, spread
   * evenly, each with one {@link VoterCsv.Defect} (in turn). The columns are those of the voterList
   * CSV export ({@link VoterCsv#HEADER}), UTF-8, CRLF, RFC 4180 quoting. State voter ids do not
   * collide with a generated registry's, so every good row is new to it; importing the same file
   * again updates them. The stream is flushed, not closed.
   *
   * @param badRows 0 to {@code rows / 2}
   */
  public static VoterCsv writeVoterCsv(
      OutputStream out, String county, int rows, int badRows, long seed) throws IOException {
    return VoterCsvWriter.write(out, county, rows, badRows, seed);
  }

  private static void load(Connection connection, int count, long seed) throws SQLException {
    VoterGenerator generator = new VoterGenerator(count, seed);
    PGConnection pg = connection.unwrap(PGConnection.class);
    // Kept per voter for the later tables, as arrays rather than records to stay small.
    int[] committeeGroup = new int[count];
    byte[] activeParty = new byte[count];
    int[] registeredDay = new int[count];
    try {
      try (CsvWriter out = copy(pg, COPY_VOTERS)) {
        CsvLine line = new CsvLine();
        for (int i = 0; i < count; i++) {
          Voter v = generator.voter(i);
          line.add(v.stateVoterId())
              .add(v.firstName())
              .add(v.middleName())
              .add(v.lastName())
              .add(v.suffix())
              .add(v.dateOfBirth())
              .add(v.streetAddress())
              .add(v.city())
              .add(v.zipCode())
              .add(v.county())
              .add(v.assemblyDistrict())
              .add(v.electionDistrict())
              .add(v.party())
              .add(v.status())
              .add(v.registrationDate())
              .add(v.updatedAt())
              .writeTo(out);
          int party = Geography.PARTIES.indexOf(v.party());
          boolean active = v.status().equals("ACTIVE");
          activeParty[i] = (byte) (active ? party : -1);
          registeredDay[i] = (int) v.registrationDate().toEpochDay();
          int committeeParty = CommitteeGenerator.PARTIES.indexOf(v.party());
          committeeGroup[i] =
              active && committeeParty >= 0
                  ? EnrolledVoters.group(
                      generator.districtOf(v).firstEdIndex() + v.electionDistrict() - 1,
                      committeeParty)
                  : -1;
        }
      }
      execute(connection, CREATE_COMMITTEE_STAGING);
      EnrolledVoters enrolled =
          new EnrolledVoters(committeeGroup, generator.totalElectionDistricts());
      try (CsvWriter out = copy(pg, COPY_COMMITTEE_STAGING)) {
        new CommitteeGenerator(generator, enrolled, seed).write(out);
      }
      execute(connection, INSERT_COMMITTEE_MEMBERS);
      execute(connection, CREATE_ABSENTEE_STAGING);
      try (CsvWriter out = copy(pg, COPY_ABSENTEE_STAGING)) {
        AbsenteeGenerator absentee = new AbsenteeGenerator(seed);
        for (int i = 0; i < count; i++) {
          if (activeParty[i] >= 0) {
            absentee.write(
                generator.stateVoterId(i),
                Geography.PARTIES.get(activeParty[i]),
                LocalDate.ofEpochDay(registeredDay[i]),
                out);
          }
        }
      }
      execute(connection, INSERT_ABSENTEE_APPLICATIONS);
      execute(connection, ANALYZE_REGISTRY);
    } catch (IOException | UncheckedIOException e) {
      // PGCopyOutputStream reports the server's error as an IOException around an SQLException;
      // FastCSV passes one on from a write as an UncheckedIOException, from close() as it is.
      Throwable io = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : e;
      throw io.getCause() instanceof SQLException sql ? sql : new SQLException("COPY failed", io);
    }
  }

  private static CsvWriter copy(PGConnection pg, String sql) throws SQLException {
    return CsvLine.forCopy(new PGCopyOutputStream(pg, sql, COPY_BUFFER), COPY_BUFFER);
  }

  private static SampleSummary summary(Connection connection, boolean loaded) throws SQLException {
    try (Statement s = connection.createStatement()) {
      long voters;
      long committeeMembers;
      long absentee;
      try (ResultSet rs = s.executeQuery(COUNT_REGISTRY)) {
        rs.next();
        voters = rs.getLong("voters");
        committeeMembers = rs.getLong("committee_members");
        absentee = rs.getLong("absentee_applications");
      }
      District ad = district(s, BUSIEST_ASSEMBLY_DISTRICT, false, false);
      District ed = district(s, BUSIEST_ELECTION_DISTRICT, true, false);
      District enrollment = district(s, LARGEST_ENROLLMENT, false, true);
      if (ad == null || ed == null) {
        throw new IllegalStateException("the registry holds no voters");
      }
      return new SampleSummary(
          loaded, voters, committeeMembers, absentee, ELECTION_DATES, ad, ed, enrollment);
    }
  }

  private static @Nullable District district(
      Statement s, String sql, boolean withElectionDistrict, boolean withParty)
      throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      if (!rs.next()) {
        return null;
      }
      return new District(
          rs.getString("county"),
          rs.getInt("assembly_district"),
          withElectionDistrict ? rs.getInt("election_district") : null,
          withParty ? rs.getString("party") : null,
          rs.getLong("voters"));
    }
  }

  private static boolean queryBoolean(Connection connection, String sql) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    }
  }

  /** A statement kept in a {@code .sql} file beside this class. */
  private static String sql(String name) {
    try (InputStream in = SampleRegistry.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing SQL file dev/conveyor/sampledata/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
