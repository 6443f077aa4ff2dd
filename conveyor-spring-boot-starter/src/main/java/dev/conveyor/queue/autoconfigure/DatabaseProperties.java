package dev.conveyor.queue.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where the connections that need a session of their own go, bound from {@code conveyor.db.*}
 * ({@code CONVEYOR_DB_DIRECT_URL}).
 *
 * <p>The application's pool ({@code spring.datasource.url}) may go through a transaction pooler
 * (PgBouncer in {@code pool_mode = transaction}, Neon's pooler): every statement of the queue, the
 * API and the worker holds no state beyond its transaction. Two things do need a session and use
 * the direct URL instead: LISTEN (a worker's wake-ups, the API's live report streams), and Flyway,
 * whose migration lock is a session-level advisory lock.
 *
 * @param directUrl a JDBC URL that reaches PostgreSQL itself, not through a transaction pooler;
 *     opened with the {@code spring.datasource} user name and password, so leave credentials out of
 *     it. Unset: the datasource URL (one host, no pooler: nothing changes). A more specific setting
 *     ({@code conveyor.queue.listen-url}, {@code conveyor.api.events.listen-url}) wins over it
 */
@ConfigurationProperties("conveyor.db")
public record DatabaseProperties(@Nullable String directUrl) {

  public DatabaseProperties {
    if (directUrl != null && !directUrl.startsWith("jdbc:postgresql:")) {
      // Blank is not "unset": unset (the datasource URL) is written by leaving it out.
      throw new IllegalArgumentException(
          "conveyor.db.direct-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db),"
              + " or be left unset for the datasource URL");
    }
  }

  /** The direct URL if one is set, else {@code fallback} (the datasource URL). */
  public @Nullable String directUrlOr(@Nullable String fallback) {
    return directUrl != null ? directUrl : fallback;
  }

  /** Like the generated one, but without the URL's query, which may carry a password. */
  @Override
  public String toString() {
    String url = directUrl == null ? null : directUrl.replaceFirst("\\?.*", "?…");
    return "DatabaseProperties[directUrl=%s]".formatted(url);
  }
}
