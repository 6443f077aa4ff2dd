/**
 * The Conveyor database schema as Flyway migrations, and the one way to apply them.
 *
 * <p>The SQL lives on the classpath under {@code db/migration}: {@code V0xx} builds the queue's own
 * {@code conveyor} schema (the job table and its indexes, the {@code conveyor.enqueue} functions
 * for producers in any language, queue controls, recurring schedules, and the schema generation
 * that queue-core checks at start), {@code V1xx} the application's business tables in {@code
 * public} (API clients, the voter registry, artifacts, reports and their triggers, webhook
 * receipts).
 *
 * <p>{@link dev.conveyor.migrations.Migrations} applies them ({@code migrate}, for tests and
 * tools), runs as the one-shot migrate command ({@code main}), and hands its settings to other
 * Flyway set-ups ({@code configure}, e.g. api-service's Spring Boot Flyway and the launcher).
 * Migrations are forward-only: a database carrying a migration this code does not know is refused.
 */
package dev.conveyor.migrations;
