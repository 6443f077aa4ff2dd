/**
 * Where tests get their PostgreSQL: a real, migrated server, never a mock.
 *
 * <p>{@link dev.conveyor.testsupport.TestDatabase#get()} starts one database per test JVM, chosen
 * here and nowhere else ({@code CONVEYOR_TEST_DB_URL} when set, else Testcontainers when Docker
 * answers, else an embedded PostgreSQL), applies the migrations from db-migrations, and offers the
 * shared pool, extra pools of their own and {@code truncateQueue()} for tests that commit. {@link
 * dev.conveyor.testsupport.LateDatabase} puts that database behind a port that refuses connections
 * until opened, for tests of a service that starts before its database. {@link
 * dev.conveyor.testsupport.PgBouncer} puts a real PgBouncer in transaction mode in front of it, for
 * tests of what must work through a transaction pooler.
 */
package dev.conveyor.testsupport;
