package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.migrations.Migrations;
import dev.conveyor.testsupport.PgBouncer;
import dev.conveyor.testsupport.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * test-support's {@link PgBouncer}, which {@link PgBouncerEndToEndTests} puts in front of the
 * services, is really in transaction mode, and shows the two session assumptions the services must
 * not make through it: pgjdbc's server-side prepared statements (its default) and LISTEN.
 */
class PgBouncerTests {

  static final TestDatabase db = TestDatabase.get();
  static PgBouncer bouncer;

  @BeforeAll
  static void start() {
    bouncer = PgBouncer.inFrontOf(db);
  }

  @AfterAll
  static void stop() {
    if (bouncer != null) {
      bouncer.close();
    }
  }

  @Test
  void consecutiveTransactionsOfOneClientMayRunOnDifferentServerSessions() throws SQLException {
    try (Connection client = connect(bouncer.url("prepareThreshold=0"));
        Connection holder = connect(bouncer.url("prepareThreshold=0"))) {
      int before = backendPid(client);
      // Another client's open transaction takes the server connection the first one just used.
      holder.setAutoCommit(false);
      holder.createStatement().execute("SELECT 1");
      assertThat(backendPid(client)).isNotEqualTo(before);
      holder.rollback();
    }
  }

  @Test
  void pgjdbcsDefaultServerSidePreparedStatementsBreakBehindIt() throws SQLException {
    try (Connection client = connect(bouncer.url());
        Connection holder = connect(bouncer.url())) {
      assertThatThrownBy(() -> repeatAcrossServerConnections(client, holder))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("prepared statement");
    }
  }

  @Test
  void prepareThresholdZeroWorksBehindIt() throws SQLException {
    try (Connection client = connect(bouncer.url("prepareThreshold=0"));
        Connection holder = connect(bouncer.url("prepareThreshold=0"))) {
      repeatAcrossServerConnections(client, holder);
    }
  }

  @Test
  void listenThroughItHearsNothingButTheDirectUrlDoes() throws SQLException {
    try (Connection pooled = connect(bouncer.url("prepareThreshold=0"));
        Connection direct = connect(db.url());
        Connection sender = connect(db.url())) {
      pooled.createStatement().execute("LISTEN pgbouncer_test");
      direct.createStatement().execute("LISTEN pgbouncer_test");
      // Keeps the server connection the pooled LISTEN ran on busy elsewhere, as under load.
      sender.createStatement().execute("NOTIFY pgbouncer_test, 'hello'");

      PGNotification[] heard = direct.unwrap(PGConnection.class).getNotifications(10_000);
      assertThat(heard).extracting(PGNotification::getParameter).containsExactly("hello");
      // Sent together with the direct one: had the pooled session kept its LISTEN, it would be
      // waiting in the socket by now. PgBouncer forwards nothing to a client between transactions.
      assertThat(pooled.unwrap(PGConnection.class).getNotifications(500)).isEmpty();
    }
  }

  /**
   * The one-shot migrate command (the compose file's and a Kubernetes Job's) takes {@code
   * CONVEYOR_DB_DIRECT_URL} over {@code CONVEYOR_DB_URL}: here the pooled URL names a port where
   * nothing listens, so the command succeeds only on the direct one.
   */
  @Test
  void theOneShotMigrateConnectsToTheDirectUrl() throws Exception {
    Path output = Files.createTempFile("conveyor-migrate-", ".log");
    ProcessBuilder command =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                Migrations.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    command.environment().put("CONVEYOR_DB_URL", "jdbc:postgresql://127.0.0.1:1/nowhere");
    command.environment().put("CONVEYOR_DB_DIRECT_URL", db.url());
    command.environment().put("CONVEYOR_DB_USER", db.user());
    command.environment().put("CONVEYOR_DB_PASSWORD", db.password());
    Process migrate = command.start();
    try {
      // On the unreachable URL it would retry for minutes (connectRetries 30).
      boolean ended = migrate.waitFor(60, TimeUnit.SECONDS);
      String log = Files.readString(output);
      assertThat(ended).as(log).isTrue();
      assertThat(migrate.exitValue()).as(log).isZero();
      assertThat(log).contains("Conveyor schema at version");
    } finally {
      migrate.destroyForcibly();
      Files.deleteIfExists(output);
    }
  }

  /**
   * One statement run six times (pgjdbc switches to a named server-side statement at the fifth),
   * then again after another client took the server connection it was prepared on.
   */
  private static void repeatAcrossServerConnections(Connection client, Connection holder)
      throws SQLException {
    try (PreparedStatement select = client.prepareStatement("SELECT ?::int + 1")) {
      for (int i = 0; i < 6; i++) {
        run(select, i);
      }
      holder.setAutoCommit(false);
      try {
        holder.createStatement().execute("SELECT 1");
        run(select, 42);
      } finally {
        holder.rollback();
      }
    }
  }

  private static void run(PreparedStatement select, int value) throws SQLException {
    select.setInt(1, value);
    try (ResultSet rs = select.executeQuery()) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(value + 1);
    }
  }

  private static int backendPid(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static Connection connect(String url) throws SQLException {
    Properties info = new Properties();
    info.setProperty("user", db.user());
    info.setProperty("password", db.password());
    return DriverManager.getConnection(url, info);
  }
}
