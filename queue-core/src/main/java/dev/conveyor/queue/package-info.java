/**
 * Conveyor's queue API: a durable job queue on PostgreSQL.
 *
 * <p>Producers use {@link dev.conveyor.queue.JobQueue} to enqueue {@link
 * dev.conveyor.queue.JobRequest}s inside their own transaction (a rollback means the job never
 * existed) and to look jobs up, cancel or retry them. Workers implement {@link
 * dev.conveyor.queue.JobHandler} and run them with {@link
 * dev.conveyor.queue.runtime.WorkerRuntime}; a handler's outcome is decided by how it returns (see
 * {@link dev.conveyor.queue.JobFailure}).
 *
 * <p>Delivery is at least once: a job runs again only when the worker that held it died, lost its
 * lease, or was stopped before the job finished. Every write after the claim is fenced on the
 * attempt's lease token, so a stale worker can never overwrite a newer attempt's outcome.
 */
@NullMarked
package dev.conveyor.queue;

import org.jspecify.annotations.NullMarked;
