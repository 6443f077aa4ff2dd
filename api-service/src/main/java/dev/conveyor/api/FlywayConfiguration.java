package dev.conveyor.api;

import dev.conveyor.migrations.Migrations;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The API applies the migrations at start, with the same settings as the one-shot {@link
 * Migrations} command (the history table's schema, and no migration pattern ignored), so a database
 * that a newer release already migrated (an applied migration this build does not know) fails
 * validation and the service refuses to start, instead of running against a schema it does not
 * understand.
 */
@Configuration(proxyBeanMethods = false)
class FlywayConfiguration {

  @Bean
  FlywayConfigurationCustomizer conveyorMigrations() {
    return Migrations::configure;
  }
}
