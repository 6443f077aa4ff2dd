/**
 * The {@code report.generate} handler: loads the report row, streams the report from the voter
 * registry into an artifact, and completes the job, the artifact and the durable {@code
 * report.completed} callback in one transaction.
 */
@NullMarked
package dev.conveyor.worker.report;

import org.jspecify.annotations.NullMarked;
