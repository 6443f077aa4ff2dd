package dev.conveyor.testsupport;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.conveyor.migrations.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The real PostgreSQL that tests run against: one server per JVM, migrated by Flyway from
 * db-migrations, decided here and nowhere else.
 *
 * <ol>
 *   <li>{@code CONVEYOR_TEST_DB_URL} (with {@code CONVEYOR_TEST_DB_USER} and {@code
 *       CONVEYOR_TEST_DB_PASSWORD}) when set: an existing server, e.g. one CI started;
 *   <li>else Testcontainers, when a Docker engine answers;
 *   <li>else an embedded PostgreSQL from Maven Central (io.zonky.test), which needs nothing
 *       installed.
 * </ol>
 */
public final class TestDatabase {

  private static final Logger log = LoggerFactory.getLogger(TestDatabase.class);
  private static volatile TestDatabase instance;

  private final String url;
  private final String user;
  private final String password;
  private final HikariDataSource dataSource;

  private TestDatabase(String url, String user, String password) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.dataSource = newDataSource("conveyor-test", 20);
    Migrations.migrate(dataSource);
  }

  /** The shared, migrated database of this JVM; started on first use. */
  public static TestDatabase get() {
    TestDatabase db = instance;
    if (db == null) {
      synchronized (TestDatabase.class) {
        db = instance;
        if (db == null) {
          db = start();
          instance = db;
        }
      }
    }
    return db;
  }

  private static TestDatabase start() {
    String envUrl = System.getenv("CONVEYOR_TEST_DB_URL");
    if (envUrl != null && !envUrl.isBlank()) {
      log.info("Tests use the database from CONVEYOR_TEST_DB_URL");
      return new TestDatabase(
          envUrl,
          System.getenv().getOrDefault("CONVEYOR_TEST_DB_USER", "postgres"),
          System.getenv().getOrDefault("CONVEYOR_TEST_DB_PASSWORD", ""));
    }
    if (dockerAvailable()) {
      log.info("Tests use PostgreSQL in a Testcontainers container");
      PostgreSQLContainer container =
          new PostgreSQLContainer("postgres:17-alpine")
              .withCommand("postgres", "-c", "max_connections=300", "-c", "fsync=off");
      container.start();
      Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
      return new TestDatabase(
          container.getJdbcUrl(), container.getUsername(), container.getPassword());
    }
    log.info("No database URL and no Docker engine: tests use an embedded PostgreSQL");
    try {
      EmbeddedPostgres pg =
          EmbeddedPostgres.builder()
              .setServerConfig("max_connections", "300")
              // Durability is not under test; flushing to disk only slows the suite.
              .setServerConfig("fsync", "off")
              .start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(pg)));
      return new TestDatabase(pg.getJdbcUrl("postgres", "postgres"), "postgres", "");
    } catch (IOException e) {
      throw new UncheckedIOException("could not start an embedded PostgreSQL", e);
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static void closeQuietly(EmbeddedPostgres pg) {
    try {
      pg.close();
    } catch (IOException e) {
      log.warn("embedded PostgreSQL did not stop cleanly", e);
    }
  }

  /** JDBC URL of the test database. */
  public String url() {
    return url;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** The shared pool (20 connections). Do not close it. */
  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * A new pool of its own, e.g. to play a separate worker process whose connections a test can cut.
   * The caller closes it.
   */
  public HikariDataSource newDataSource(String applicationName, int maxPoolSize) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(maxPoolSize);
    config.setPoolName(applicationName);
    config.addDataSourceProperty("ApplicationName", applicationName);
    config.setConnectionTimeout(10_000);
    return new HikariDataSource(config);
  }

  /**
   * Empties the queue: jobs, queue controls, the start log and schedules (committed-tier tests call
   * this before each test).
   */
  public void truncateQueue() {
    execute(
        "TRUNCATE conveyor.queue_job, conveyor.queue_control, conveyor.queue_start_log,"
            + " conveyor.recurring_schedule RESTART IDENTITY");
  }

  /** Runs one statement on the shared pool, outside any test transaction. */
  public void execute(String sql) {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + sql, e);
    }
  }
}
