package dev.conveyor.queue.migrations;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The queue's own schema, {@code conveyor}, as Flyway migrations, for an application that uses the
 * queue next to its own tables.
 *
 * <pre>{@code
 * QueueMigrations.migrate(dataSource); // at start, before a worker starts; a no-op when current
 * }</pre>
 *
 * <p><b>History of its own.</b> {@link #configure()} keeps Flyway's history in {@code
 * conveyor.flyway_schema_history}, inside the queue's schema, so that it never meets the
 * application's own Flyway history: the queue's versions ({@code V001} to {@code V014} today;
 * {@code V001} to {@code V099} are the queue's) would otherwise collide with an application's
 * {@code V1} to {@code V14}. Flyway creates the {@code conveyor} schema when it is missing and
 * refuses one that exists without this history (a queue schema applied some other way), rather than
 * apply it twice.
 *
 * <p><b>Or in your own history.</b> An application whose versions do not collide may instead add
 * {@link #LOCATION} to its own Flyway locations ({@code
 * spring.flyway.locations=classpath:db/migration,classpath:dev/conveyor/queue/migration}); the
 * report system's own services do so. The files are the same either way, so their checksums are.
 *
 * <p>Migrations are forward-only. A database carrying a queue migration this code does not know (a
 * newer release applied it) is refused, so an old release never runs against a schema it does not
 * understand.
 *
 * <p>Concurrent runs are safe: Flyway serializes them with a PostgreSQL advisory lock. {@link
 * #migrate} needs one connection of the pool, not two.
 */
public final class QueueMigrations {

  /** Where the queue's SQL lives on the class path. */
  public static final String LOCATION = "classpath:dev/conveyor/queue/migration";

  /** The queue's schema, which also holds the history of {@link #configure()}. */
  public static final String SCHEMA = "conveyor";

  private QueueMigrations() {}

  /**
   * Applies every pending queue migration to {@code dataSource}.
   *
   * @return Flyway's account of what it applied
   * @throws org.flywaydb.core.api.FlywayException if a migration fails (its transaction is rolled
   *     back), or if the database holds a queue migration this code does not know
   */
  public static MigrateResult migrate(DataSource dataSource) {
    // On one borrowed connection: Flyway would otherwise hold two at once, which a pool of one
    // cannot give (see OneConnection).
    return OneConnection.migrate(
        dataSource, shared -> configure().dataSource(shared).load().migrate());
  }

  /** The settings of {@link #migrate}; callers add a data source (and may add more settings). */
  public static FluentConfiguration configure() {
    return configure(Flyway.configure());
  }

  /**
   * Applies the queue's settings to {@code configuration}: its location, its schema (created when
   * missing) holding Flyway's history, and no ignored migration pattern.
   */
  public static FluentConfiguration configure(FluentConfiguration configuration) {
    return configuration
        .locations(LOCATION)
        .failOnMissingLocations(true)
        .schemas(SCHEMA)
        .defaultSchema(SCHEMA)
        // No pattern is ignored: a future (unknown) applied migration fails validation.
        .ignoreMigrationPatterns(new String[0]);
  }
}
