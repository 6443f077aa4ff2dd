/**
 * The queue's schema migrations: the SQL under {@code dev/conveyor/queue/migration} on the class
 * path ({@code V001} to {@code V014} today, {@code V001} to {@code V099} reserved: the {@code
 * conveyor} schema, the job table and its indexes, the {@code conveyor.enqueue} functions for
 * producers in any language, queue controls, recurring schedules, the depth sample, the worker
 * runtime registry, the throughput rollup, trace contexts, and the schema generation that the
 * worker checks at start), and {@link dev.conveyor.queue.migrations.QueueMigrations} to apply them.
 */
package dev.conveyor.queue.migrations;
