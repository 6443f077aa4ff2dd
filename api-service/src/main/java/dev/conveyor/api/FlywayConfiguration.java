package dev.conveyor.api;

import dev.conveyor.migrations.Migrations;
import dev.conveyor.queue.autoconfigure.DatabaseProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The API applies the migrations at start, with the same settings as the one-shot {@link
 * Migrations} command (the history table's schema, and no migration pattern ignored), so a database
 * that a newer release already migrated (an applied migration this build does not know) fails
 * validation and the service refuses to start, instead of running against a schema it does not
 * understand.
 *
 * <p>With {@code conveyor.db.direct-url} set, Flyway connects there instead of through the pool:
 * its lock is a session-level advisory lock ({@code pg_try_advisory_lock} at the start, {@code
 * pg_advisory_unlock} at the end), which behind a transaction pooler would be taken on one server
 * connection and released (or not) on another, leaving it held for the next start to wait on.
 */
@Configuration(proxyBeanMethods = false)
class FlywayConfiguration {

  @Bean
  FlywayConfigurationCustomizer conveyorMigrations(
      ObjectProvider<DatabaseProperties> database, ObjectProvider<JdbcConnectionDetails> details) {
    return configuration -> {
      Migrations.configure(configuration);
      DatabaseProperties direct = database.getIfAvailable();
      JdbcConnectionDetails connection = details.getIfAvailable();
      if (direct != null && direct.directUrl() != null && connection != null) {
        configuration.dataSource(
            direct.directUrl(), connection.getUsername(), connection.getPassword());
      }
    };
  }
}
