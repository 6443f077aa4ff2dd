package dev.conveyor.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the launcher was asked to do: command-line options, with the database taken from {@code
 * CONVEYOR_DB_URL}, {@code CONVEYOR_DB_USER} and {@code CONVEYOR_DB_PASSWORD} when not given as
 * options. Validated on construction.
 *
 * @param dataDir the local data folder: PostgreSQL's data ({@code pgdata/}), its log, and the
 *     generated secrets; kept across runs. Default {@value #DEFAULT_DATA_DIR}
 * @param dbUrl a JDBC URL of an existing database to use instead of the embedded PostgreSQL
 * @param dbUser the user for {@code dbUrl}; {@code postgres} with the embedded database
 * @param dbPassword the password for {@code dbUrl}; empty with the embedded database (trust)
 * @param pgPort the embedded PostgreSQL's port (loopback only); {@value #DEFAULT_PG_PORT}
 * @param apiPort the API's port (loopback only); {@value #DEFAULT_API_PORT}
 * @param workerPort the worker's actuator port (loopback only); {@value #DEFAULT_WORKER_PORT}
 * @param apiJar api-service's executable jar; default {@code
 *     api-service/target/api-service-*-exec.jar} under the working directory
 * @param workerJar worker-service's executable jar; default {@code
 *     worker-service/target/worker-service-*.jar} under the working directory
 * @param sampleVoters voters seeded into an empty registry; {@value #DEFAULT_SAMPLE_VOTERS} with
 *     the embedded database, 0 (no seeding) with {@code dbUrl}
 * @param sampleSeed the seed of the deterministic sample generator; {@value #DEFAULT_SAMPLE_SEED}
 * @param startupTimeout how long both services get to become healthy; 3 minutes
 * @param stopTimeout how long a service gets to stop after SIGTERM before it is killed; 20 seconds
 */
record LaunchOptions(
    Path dataDir,
    @Nullable String dbUrl,
    String dbUser,
    String dbPassword,
    int pgPort,
    int apiPort,
    int workerPort,
    @Nullable Path apiJar,
    @Nullable Path workerJar,
    int sampleVoters,
    long sampleSeed,
    Duration startupTimeout,
    Duration stopTimeout) {

  static final String DEFAULT_DATA_DIR = ".conveyor";
  static final int DEFAULT_PG_PORT = 54329;
  static final int DEFAULT_API_PORT = 8080;
  static final int DEFAULT_WORKER_PORT = 8081;
  static final int DEFAULT_SAMPLE_VOTERS = 2_000;
  static final long DEFAULT_SAMPLE_SEED = 42;
  static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(3);
  static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(20);

  static final String USAGE =
      """
      usage: conveyor-local [options]   (or: java -jar launcher/target/launcher-*.jar [options])

      Starts PostgreSQL (embedded, persisted in the data folder) unless a database is given,
      applies the migrations, seeds sample voters into an empty registry, then runs api-service
      and worker-service and prints the API URL and a local admin API key. Ctrl-C stops it all.

        --data-dir DIR          local data: pgdata/, postgres.log, api-key, callback-secret
                                (default .conveyor)
        --db-url URL            use this database instead (env CONVEYOR_DB_URL); it is migrated
        --db-user USER          (env CONVEYOR_DB_USER)
        --db-password PASSWORD  (env CONVEYOR_DB_PASSWORD; prefer the variable)
        --pg-port N             embedded PostgreSQL port (default 54329)
        --api-port N            API port (default 8080)
        --worker-port N         worker actuator port (default 8081)
        --api-jar FILE          default api-service/target/api-service-*-exec.jar
        --worker-jar FILE       default worker-service/target/worker-service-*.jar
        --sample-voters N       voters seeded into an empty registry (default 2000; 0 with
                                --db-url: nothing is seeded into a given database unless asked)
        --sample-seed N         seed of the sample generator (default 42)
        --startup-timeout SEC   time for both services to become healthy (default 180)
        --stop-timeout SEC      time for a service to stop before it is killed (default 20)
        --help                  this text
      """;

  LaunchOptions {
    Objects.requireNonNull(dataDir, "data dir");
    Objects.requireNonNull(dbUser, "db user");
    Objects.requireNonNull(dbPassword, "db password");
    requirePort("--pg-port", pgPort);
    requirePort("--api-port", apiPort);
    requirePort("--worker-port", workerPort);
    if (apiPort == workerPort || (dbUrl == null && (pgPort == apiPort || pgPort == workerPort))) {
      throw new IllegalArgumentException("--pg-port, --api-port and --worker-port must differ");
    }
    if (dbUrl != null && !dbUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("--db-url must be a jdbc:postgresql: URL");
    }
    if (sampleVoters < 0) {
      throw new IllegalArgumentException("--sample-voters must be 0 or more");
    }
    if (!startupTimeout.isPositive() || !stopTimeout.isPositive()) {
      throw new IllegalArgumentException("--startup-timeout and --stop-timeout must be positive");
    }
  }

  /** True when the launcher starts its own PostgreSQL. */
  boolean embeddedDatabase() {
    return dbUrl == null;
  }

  /** Thrown for a command line that cannot be used; the message names the option. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  /**
   * Reads {@code args} ({@code --name value} or {@code --name=value}), falling back to {@code env}
   * for the database. Returns null when {@code --help} was asked for.
   *
   * @throws UsageException for an unknown option, a missing or malformed value, or a rule broken
   */
  static @Nullable LaunchOptions parse(String[] args, Map<String, String> env) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        return null;
      }
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      String name;
      String value;
      int eq = arg.indexOf('=');
      if (eq > 0) {
        name = arg.substring(2, eq);
        value = arg.substring(eq + 1);
      } else {
        name = arg.substring(2);
        if (i + 1 >= args.length) {
          throw new UsageException("--" + name + " needs a value");
        }
        value = args[++i];
      }
      if (!OPTIONS.contains(name)) {
        throw new UsageException("unknown option --" + name + " (see --help)");
      }
      values.put(name, value);
    }
    String dbUrl = blankToNull(values.getOrDefault("db-url", env.get("CONVEYOR_DB_URL")));
    boolean embedded = dbUrl == null;
    try {
      return new LaunchOptions(
          Path.of(values.getOrDefault("data-dir", DEFAULT_DATA_DIR)),
          dbUrl,
          embedded
              ? "postgres"
              : values.getOrDefault("db-user", env.getOrDefault("CONVEYOR_DB_USER", "")),
          embedded
              ? ""
              : values.getOrDefault("db-password", env.getOrDefault("CONVEYOR_DB_PASSWORD", "")),
          intValue(values, "pg-port", DEFAULT_PG_PORT),
          intValue(values, "api-port", DEFAULT_API_PORT),
          intValue(values, "worker-port", DEFAULT_WORKER_PORT),
          pathValue(values, "api-jar"),
          pathValue(values, "worker-jar"),
          intValue(values, "sample-voters", embedded ? DEFAULT_SAMPLE_VOTERS : 0),
          longValue(values, "sample-seed", DEFAULT_SAMPLE_SEED),
          Duration.ofSeconds(
              longValue(values, "startup-timeout", DEFAULT_STARTUP_TIMEOUT.toSeconds())),
          Duration.ofSeconds(longValue(values, "stop-timeout", DEFAULT_STOP_TIMEOUT.toSeconds())));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static final List<String> OPTIONS =
      List.of(
          "data-dir",
          "db-url",
          "db-user",
          "db-password",
          "pg-port",
          "api-port",
          "worker-port",
          "api-jar",
          "worker-jar",
          "sample-voters",
          "sample-seed",
          "startup-timeout",
          "stop-timeout");

  /** api-service's executable jar: the option, else the newest match in the working directory. */
  Path resolveApiJar() {
    return apiJar != null
        ? requireFile(apiJar, "--api-jar")
        : find("api-service/target", "api-service-", "-exec.jar", "--api-jar");
  }

  /**
   * worker-service's executable jar: the option, else the newest match in the working directory.
   */
  Path resolveWorkerJar() {
    return workerJar != null
        ? requireFile(workerJar, "--worker-jar")
        : find("worker-service/target", "worker-service-", ".jar", "--worker-jar");
  }

  private static Path requireFile(Path file, String option) {
    if (!Files.isRegularFile(file)) {
      throw new UsageException(option + " " + file + " is not a file");
    }
    return file;
  }

  private static Path find(String dir, String prefix, String suffix, String option) {
    List<Path> matches = new ArrayList<>();
    Path folder = Path.of(dir);
    if (Files.isDirectory(folder)) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, prefix + "*" + suffix)) {
        for (Path file : files) {
          // worker-service-*.jar would also match a classified jar of another kind.
          String name = file.getFileName().toString();
          if (suffix.equals(".jar") && name.matches(".*-(exec|sources|javadoc|tests)\\.jar")) {
            continue;
          }
          matches.add(file);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return matches.stream()
        .max((a, b) -> lastModified(a).compareTo(lastModified(b)))
        .orElseThrow(
            () ->
                new UsageException(
                    "no "
                        + dir
                        + "/"
                        + prefix
                        + "*"
                        + suffix
                        + " under "
                        + Path.of("").toAbsolutePath()
                        + ": build it (./mvnw -B -DskipTests package) or pass "
                        + option));
  }

  private static java.nio.file.attribute.FileTime lastModified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static @Nullable String blankToNull(@Nullable String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static @Nullable Path pathValue(Map<String, String> values, String name) {
    String value = values.get(name);
    return value == null ? null : Path.of(value);
  }

  private static int intValue(Map<String, String> values, String name, int defaultValue) {
    long value = longValue(values, name, defaultValue);
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw new UsageException("--" + name + " is out of range: " + value);
    }
    return (int) value;
  }

  private static long longValue(Map<String, String> values, String name, long defaultValue) {
    String value = values.get(name);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a whole number, not '" + value + "'");
    }
  }

  private static void requirePort(String option, int port) {
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException(option + " must be between 1 and 65535");
    }
  }
}
