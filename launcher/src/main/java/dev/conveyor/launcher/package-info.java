/**
 * The local launcher: one command that runs the whole Conveyor system on a developer's machine.
 *
 * <p>{@link dev.conveyor.launcher.Launcher} is a plain Java main (no Spring context of its own). It
 * starts an embedded PostgreSQL persisted in a data folder ({@link
 * dev.conveyor.launcher.EmbeddedDatabase}) unless a database URL is given, applies the migrations,
 * seeds a sample registry into an empty database ({@link dev.conveyor.launcher.SampleSeeding}), and
 * runs api-service and worker-service as two child processes ({@link
 * dev.conveyor.launcher.ServiceProcess}) configured with secrets kept in the data folder ({@link
 * dev.conveyor.launcher.LocalSecrets}). {@link dev.conveyor.launcher.LocalStack} orders all of it,
 * and stops it in reverse: the services, then PostgreSQL.
 */
@NullMarked
package dev.conveyor.launcher;

import org.jspecify.annotations.NullMarked;
