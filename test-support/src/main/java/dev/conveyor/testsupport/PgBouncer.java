package dev.conveyor.testsupport;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PgBouncer ({@value #BINARY}, Debian's package {@code pgbouncer}) in {@code pool_mode =
 * transaction} in front of the test database, on a free loopback port, for tests of what has to
 * work through a transaction pooler: each transaction may run on another server connection, and a
 * session (LISTEN, session advisory locks, {@code SET}, server-side prepared statements) does not
 * outlive it.
 *
 * <p>The pool is small ({@link #DEFAULT_POOL_SIZE} server connections for all clients), so that a
 * session assumption breaks loudly instead of by luck. Clients are trusted ({@code auth_type =
 * trust}); PgBouncer logs in to the server with the test database's user and password from its
 * {@code auth_file}. pgjdbc's {@code extra_float_digits} startup parameter is ignored ({@code
 * ignore_startup_parameters}), as a production pgbouncer.ini must do too. As root (PgBouncer
 * refuses to run as root) it runs as {@code nobody}.
 *
 * <p>PgBouncer 1.18 has no prepared-statement support in transaction mode: a pgjdbc URL through it
 * needs {@code prepareThreshold=0} ({@link #url(String)}).
 */
public final class PgBouncer implements AutoCloseable {

  /** Server connections per database and user pair. */
  public static final int DEFAULT_POOL_SIZE = 4;

  static final String BINARY = "/usr/sbin/pgbouncer";

  private static final Logger log = LoggerFactory.getLogger(PgBouncer.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private final Path directory;
  private final Process process;
  private final String url;
  private final String user;
  private final String password;

  private PgBouncer(Path directory, Process process, String url, TestDatabase db) {
    this.directory = directory;
    this.process = process;
    this.url = url;
    this.user = db.user();
    this.password = db.password();
  }

  /**
   * Starts PgBouncer in front of {@code db} and waits until it accepts a query; close it after the
   * test (it also dies with this JVM).
   */
  public static PgBouncer inFrontOf(TestDatabase db) {
    IOException last = null;
    // A free port may be taken between finding it and PgBouncer binding it: try another one.
    for (int attempt = 1; attempt <= 3; attempt++) {
      try {
        return start(db, freePort());
      } catch (IOException e) {
        last = e;
        log.warn("PgBouncer did not start (attempt {}): {}", attempt, e.getMessage());
      }
    }
    throw new UncheckedIOException("could not start " + BINARY, last);
  }

  private static PgBouncer start(TestDatabase db, int port) throws IOException {
    URI target = URI.create(db.url().substring("jdbc:".length()));
    String database = target.getPath().substring(1);
    String host = "localhost".equals(target.getHost()) ? "127.0.0.1" : target.getHost();
    boolean root = "root".equals(System.getProperty("user.name"));

    Path directory = Files.createTempDirectory("conveyor-pgbouncer-");
    Path userlist = directory.resolve("userlist.txt");
    Files.writeString(userlist, quoted(db.user()) + " " + quoted(db.password()) + "\n");
    Path ini = directory.resolve("pgbouncer.ini");
    Files.writeString(
        ini,
        """
        [databases]
        %s = host=%s port=%d dbname=%s

        [pgbouncer]
        listen_addr = 127.0.0.1
        listen_port = %d
        unix_socket_dir =
        auth_type = trust
        auth_file = %s
        pool_mode = transaction
        default_pool_size = %d
        max_client_conn = 500
        ; pgjdbc sends extra_float_digits at startup; PgBouncer 1.18 refuses unknown parameters.
        ignore_startup_parameters = extra_float_digits
        ; Runs between sessions only, never in transaction mode (server_reset_query_always = 0).
        server_reset_query = DISCARD ALL
        ; A client that waits longer than this for a server connection gets an error: fail fast.
        query_wait_timeout = 30
        """
            .formatted(
                database, host, target.getPort(), database, port, userlist, DEFAULT_POOL_SIZE));
    if (root) {
      // PgBouncer refuses to run as root; as nobody it must be able to read its files.
      Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(userlist, PosixFilePermissions.fromString("rw-r--r--"));
      Files.setPosixFilePermissions(ini, PosixFilePermissions.fromString("rw-r--r--"));
    }

    List<String> command = new ArrayList<>(List.of(BINARY));
    if (root) {
      command.addAll(List.of("-u", "nobody"));
    }
    command.add(ini.toString());
    Path logFile = directory.resolve("pgbouncer.log");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile())
            .start();
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));

    String query = target.getRawQuery() == null ? "" : "?" + target.getRawQuery();
    String url = "jdbc:postgresql://127.0.0.1:" + port + "/" + database + query;
    PgBouncer bouncer = new PgBouncer(directory, process, url, db);
    try {
      await()
          .atMost(START_TIMEOUT)
          .pollInterval(Duration.ofMillis(50))
          .ignoreExceptionsInstanceOf(SQLException.class)
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IOException(
                      "PgBouncer exited with " + process.exitValue() + ": " + bouncer.log());
                }
                return bouncer.answers();
              });
    } catch (ConditionTimeoutException e) {
      bouncer.close();
      throw new IOException(
          "PgBouncer did not answer within " + START_TIMEOUT + ": " + bouncer.log());
    } catch (RuntimeException e) {
      bouncer.close();
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw e;
    }
    log.info(
        "PgBouncer {} in transaction mode on port {} (pool size {})",
        BINARY,
        port,
        DEFAULT_POOL_SIZE);
    return bouncer;
  }

  /**
   * The JDBC URL through PgBouncer: the test database's URL (with its query) on PgBouncer's port.
   * With pgjdbc's default {@code prepareThreshold} (5), see {@link #url(String)}.
   */
  public String url() {
    return url;
  }

  /** {@link #url()} with {@code parameters} appended, e.g. {@code prepareThreshold=0}. */
  public String url(String parameters) {
    return url + (url.contains("?") ? "&" : "?") + parameters;
  }

  /** What PgBouncer logged so far (its log goes to a file in its temporary directory). */
  public String log() {
    try {
      return Files.readString(directory.resolve("pgbouncer.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private boolean answers() throws SQLException {
    Properties info = new Properties();
    info.setProperty("user", user);
    info.setProperty("password", password);
    info.setProperty("prepareThreshold", "0");
    info.setProperty("connectTimeout", "2");
    try (Connection c = DriverManager.getConnection(url, info);
        Statement s = c.createStatement()) {
      return s.execute("SELECT 1");
    }
  }

  /** Stops PgBouncer (SIGTERM: it closes every connection at once) and removes its files. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try (var files = Files.list(directory)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(directory);
    } catch (IOException e) {
      log.warn("could not remove {}", directory, e);
    }
  }

  private static String quoted(String value) {
    return "\"" + value.replace("\"", "\"\"") + "\"";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
