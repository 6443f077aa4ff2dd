package dev.conveyor.sampledata;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The command line:
 *
 * <pre>
 * java -jar sample-data-…-all.jar --url jdbc:postgresql://localhost:5432/conveyor --user conveyor
 *     --password … --voters 200000 --seed 42 [--if-not-empty fail|skip|replace]
 * java -jar sample-data-…-all.jar --csv voters.csv --rows 100000 [--bad-rows 50]
 *     [--county Kings] [--seed 42]
 * </pre>
 *
 * The database options fall back to {@code CONVEYOR_DB_URL}, {@code CONVEYOR_DB_USER} and {@code
 * CONVEYOR_DB_PASSWORD} (the same as the services'), which keeps the password off the command line.
 * Exit status: 0 done, 1 failed, 2 bad usage.
 */
public final class SampleDataCommand {

  private static final String USAGE =
      """
      usage: sample-data --voters N [--seed S] [--if-not-empty fail|skip|replace]
                         [--url JDBC_URL] [--user USER] [--password PASSWORD]
             sample-data --csv FILE --rows N [--bad-rows K] [--county NAME] [--seed S]
      The database defaults to CONVEYOR_DB_URL, CONVEYOR_DB_USER, CONVEYOR_DB_PASSWORD.
      Counties: %s"""
          .formatted(String.join(", ", SampleRegistry.COUNTIES));

  private static final List<String> OPTIONS =
      List.of(
          "url",
          "user",
          "password",
          "voters",
          "seed",
          "if-not-empty",
          "csv",
          "rows",
          "bad-rows",
          "county");

  private SampleDataCommand() {}

  public static void main(String[] args) {
    int status;
    try {
      status = run(args, System.getenv());
    } catch (UsageException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      status = 2;
    } catch (IllegalArgumentException | IllegalStateException | SQLException | IOException e) {
      System.err.println("sample-data failed: " + e.getMessage());
      status = 1;
    }
    System.exit(status);
  }

  /** Runs the command; the exit status on success. */
  static int run(String[] args, Map<String, String> env) throws SQLException, IOException {
    Map<String, String> options = parse(args);
    long seed = number(options, "seed", 42);
    String csv = options.get("csv");
    if (csv != null) {
      return writeCsv(Path.of(csv), options, seed);
    }
    if (!options.containsKey("voters")) {
      throw new UsageException("--voters or --csv is required");
    }
    int voters = (int) number(options, "voters", 0);
    IfNotEmpty ifNotEmpty = ifNotEmpty(options.getOrDefault("if-not-empty", "fail"));
    String url = option(options, "url", env, "CONVEYOR_DB_URL");
    if (url == null) {
      throw new UsageException("--url (or CONVEYOR_DB_URL) is required");
    }
    Properties props = new Properties();
    props.setProperty("user", orEmpty(option(options, "user", env, "CONVEYOR_DB_USER")));
    props.setProperty(
        "password", orEmpty(option(options, "password", env, "CONVEYOR_DB_PASSWORD")));
    props.setProperty("ApplicationName", "conveyor-sample-data");
    long started = System.nanoTime();
    try (Connection connection = DriverManager.getConnection(url, props)) {
      SampleSummary summary = SampleRegistry.generate(connection, voters, seed, ifNotEmpty);
      System.out.printf(
          Locale.ROOT,
          "%s%n(seed %d, %.1f s)%n",
          summary,
          seed,
          (System.nanoTime() - started) / 1e9);
    }
    return 0;
  }

  private static int writeCsv(Path file, Map<String, String> options, long seed)
      throws IOException {
    if (!options.containsKey("rows")) {
      throw new UsageException("--csv needs --rows");
    }
    int rows = (int) number(options, "rows", 0);
    int badRows = (int) number(options, "bad-rows", 0);
    String county = options.getOrDefault("county", "Kings");
    VoterCsv written;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
      written = SampleRegistry.writeVoterCsv(out, county, rows, badRows, seed);
    }
    System.out.printf(
        "%s: %,d %s voters, %,d of them invalid on purpose (seed %d)%n",
        file, written.rows(), county, written.badRows().size(), seed);
    return 0;
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg.startsWith("--") ? arg.substring(2) : "";
      if (!OPTIONS.contains(name)) {
        throw new UsageException("unknown option: " + arg);
      }
      if (i + 1 == args.length) {
        throw new UsageException(arg + " needs a value");
      }
      options.put(name, args[++i]);
    }
    return options;
  }

  private static long number(Map<String, String> options, String name, long defaultValue) {
    String value = options.get(name);
    if (value == null) {
      return defaultValue;
    }
    try {
      long n = Long.parseLong(value.replace("_", ""));
      if (!name.equals("seed") && (n < 0 || n > Integer.MAX_VALUE)) {
        throw new UsageException("--" + name + " is out of range: " + value);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a whole number: " + value);
    }
  }

  private static IfNotEmpty ifNotEmpty(String value) {
    try {
      return IfNotEmpty.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--if-not-empty must be fail, skip or replace: " + value);
    }
  }

  private static @Nullable String option(
      Map<String, String> options, String name, Map<String, String> env, String variable) {
    String value = options.get(name);
    if (value == null) {
      value = env.get(variable);
    }
    return value == null || value.isBlank() ? null : value;
  }

  private static String orEmpty(@Nullable String value) {
    return value == null ? "" : value;
  }

  /** Bad command line: print the usage. */
  static final class UsageException extends IllegalArgumentException {
    UsageException(String message) {
      super(message);
    }
  }
}
