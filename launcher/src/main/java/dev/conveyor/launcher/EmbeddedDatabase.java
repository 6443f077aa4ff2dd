package dev.conveyor.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * PostgreSQL from Maven Central (io.zonky.test, the binaries unpacked to the temp folder), with its
 * data in a folder that is kept: {@code initdb} runs only when the folder holds no cluster yet, so
 * a restart finds the data of the last run. It listens on the loopback interface only, with trust
 * authentication for the {@value #USER} user (a local development database, like the one the tests
 * use), and holds the {@value #DATABASE} database. The server's output goes to {@code postgres.log}
 * beside the data folder.
 *
 * <p>Unlike the tests' throwaway server, durability is PostgreSQL's default ({@code fsync} and
 * {@code synchronous_commit} on): this data is meant to outlive the process.
 */
final class EmbeddedDatabase implements AutoCloseable {

  static final String USER = "postgres";
  static final String DATABASE = "conveyor";

  private final EmbeddedPostgres postgres;
  private final int port;

  private EmbeddedDatabase(EmbeddedPostgres postgres, int port) {
    this.postgres = postgres;
    this.port = port;
  }

  /**
   * Starts the server on {@code dataDir} (created, and initialised, when missing) and creates the
   * {@value #DATABASE} database on first start.
   *
   * @throws LaunchException when the port is taken, the folder is in use by another launcher, or
   *     the server does not start (the message points at the log)
   */
  static EmbeddedDatabase start(Path dataDir, int port, Path log) {
    Ports.requireFree(port, "--pg-port");
    boolean fresh = !Files.exists(dataDir.resolve("PG_VERSION"));
    EmbeddedPostgres postgres;
    try {
      Files.createDirectories(dataDir);
      postgres =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setPort(port)
              .setServerConfig("listen_addresses", "localhost")
              // Embedded PostgreSQL starts the server with -F (fsync off) and synchronous_commit
              // off, fine for throwaway test data; this data is kept, so both go back on.
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("max_connections", "100")
              .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .setPGStartupWait(Duration.ofSeconds(60))
              .start();
    } catch (IOException | RuntimeException e) {
      throw new LaunchException(
          "PostgreSQL did not start in "
              + dataDir
              + (fresh ? " (initdb)" : "")
              + ": "
              + e.getMessage()
              + "; see "
              + log,
          e);
    }
    EmbeddedDatabase database = new EmbeddedDatabase(postgres, port);
    try {
      database.createDatabaseIfMissing();
    } catch (SQLException e) {
      database.close();
      throw new LaunchException("could not create the database " + DATABASE, e);
    }
    return database;
  }

  String url() {
    return "jdbc:postgresql://localhost:" + port + "/" + DATABASE;
  }

  int port() {
    return port;
  }

  private void createDatabaseIfMissing() throws SQLException {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        PreparedStatement exists =
            c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, DATABASE);
      try (ResultSet rs = exists.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
      try (Statement create = c.createStatement()) {
        // An identifier cannot be a bind parameter; DATABASE is a constant.
        create.execute("CREATE DATABASE " + DATABASE);
      }
    }
  }

  /** Stops the server ({@code pg_ctl stop -m fast}); the data stays. Idempotent. */
  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new LaunchException("PostgreSQL did not stop cleanly: " + e.getMessage(), e);
    }
  }
}
