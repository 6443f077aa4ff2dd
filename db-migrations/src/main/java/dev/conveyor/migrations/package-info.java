/**
 * The Conveyor database schema as Flyway migrations, and the one way to apply them.
 *
 * <p>Two class path locations share one Flyway history: queue-migrations' {@code
 * dev/conveyor/queue/migration} ({@code V0xx}, the queue's own {@code conveyor} schema, which a
 * library user applies alone) and this module's {@code db/migration} ({@code V1xx}, the report
 * system's business tables in {@code public}: API clients, the voter registry, artifacts, reports
 * and their triggers, webhook receipts).
 *
 * <p>{@link dev.conveyor.migrations.Migrations} applies them ({@code migrate}, for tests and
 * tools), runs as the one-shot migrate command ({@code main}), and hands its settings to other
 * Flyway set-ups ({@code configure}, e.g. api-service's Spring Boot Flyway and the launcher).
 * Migrations are forward-only: a database carrying a migration this code does not know is refused.
 */
package dev.conveyor.migrations;
