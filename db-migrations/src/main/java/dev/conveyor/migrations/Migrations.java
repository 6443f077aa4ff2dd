package dev.conveyor.migrations;

import dev.conveyor.queue.migrations.OneConnection;
import dev.conveyor.queue.migrations.QueueMigrations;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The Conveyor schema migrations and how to apply them.
 *
 * <p>Migrations are forward-only. A database that already carries a migration this code does not
 * know (a newer release ran against it) is refused: Flyway's default of ignoring such "future"
 * migrations is switched off, so an old release can never run against a schema it does not
 * understand.
 *
 * <p>Run once before the services start, either through {@link #main(String[])} (the one-shot
 * migrate command) or from an application with {@link #flyway(DataSource)}.
 */
public final class Migrations {

  /** Where the report system's own SQL ({@code V100} and up) lives on the classpath. */
  public static final String LOCATION = "classpath:db/migration";

  /**
   * Both locations, in one history: the queue's schema ({@code V001} to {@code V007}, from
   * queue-migrations, {@link QueueMigrations#LOCATION}) and the report system's. The queue's files
   * moved out of {@link #LOCATION} unchanged, so a database migrated before sees the same versions
   * and checksums.
   */
  public static final String[] LOCATIONS = {QueueMigrations.LOCATION, LOCATION};

  private Migrations() {}

  /** A Flyway instance for the Conveyor migrations on {@code dataSource}. */
  public static Flyway flyway(DataSource dataSource) {
    return configure().dataSource(dataSource).load();
  }

  /**
   * The schema holding Flyway's history table (and the one Flyway's session works in). Pinned
   * because Flyway otherwise takes the connection's current schema, which moves: the default search
   * path is {@code "$user", public}, so for a role named {@code conveyor} it is {@code public}
   * before the first migration and the {@code conveyor} queue schema after it, where the next run
   * would find no history and refuse to start.
   */
  public static final String HISTORY_SCHEMA = "public";

  /** The shared settings; callers add the data source. */
  public static FluentConfiguration configure() {
    return configure(Flyway.configure());
  }

  /**
   * Applies the shared settings to {@code configuration} (e.g. Spring Boot's, in a {@code
   * FlywayConfigurationCustomizer}) and returns it.
   */
  public static FluentConfiguration configure(FluentConfiguration configuration) {
    return configuration
        .locations(LOCATIONS)
        // A location missing from the class path would otherwise be skipped with a warning.
        .failOnMissingLocations(true)
        .defaultSchema(HISTORY_SCHEMA)
        // No pattern is ignored: a future (unknown) applied migration fails validation.
        .ignoreMigrationPatterns(new String[0]);
  }

  /**
   * Applies every pending migration; fails on a schema newer than this code. Uses one connection of
   * {@code dataSource} (a pool of one is enough; see {@link OneConnection}).
   */
  public static MigrateResult migrate(DataSource dataSource) {
    return OneConnection.migrate(dataSource, shared -> flyway(shared).migrate());
  }

  /**
   * One-shot migrate command. Reads {@code CONVEYOR_DB_URL}, {@code CONVEYOR_DB_USER} and {@code
   * CONVEYOR_DB_PASSWORD} from the environment, applies the migrations and exits non-zero on any
   * failure. {@code CONVEYOR_DB_DIRECT_URL}, when set, is used instead of {@code CONVEYOR_DB_URL}:
   * Flyway's lock is a session-level advisory lock, which must not go through a transaction pooler.
   */
  public static void main(String[] args) {
    String direct = System.getenv("CONVEYOR_DB_DIRECT_URL");
    String url = direct != null && !direct.isBlank() ? direct : requireEnv("CONVEYOR_DB_URL");
    String user = System.getenv().getOrDefault("CONVEYOR_DB_USER", "");
    String password = System.getenv().getOrDefault("CONVEYOR_DB_PASSWORD", "");
    MigrateResult result =
        configure().dataSource(url, user, password).connectRetries(30).load().migrate();
    System.out.printf(
        "Conveyor schema at version %s (%d migrations applied)%n",
        result.targetSchemaVersion, result.migrationsExecuted);
  }

  private static String requireEnv(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      System.err.println(name + " is not set; it must hold the JDBC URL of the database");
      System.exit(2);
    }
    return value;
  }
}
