/**
 * The worker side: {@link dev.conveyor.queue.runtime.WorkerRuntime} claims jobs in batches with
 * {@code FOR UPDATE SKIP LOCKED}, runs them on virtual threads, keeps their leases alive, records
 * outcomes (completions in batches) and shuts down in two phases.
 */
@NullMarked
package dev.conveyor.queue.runtime;

import org.jspecify.annotations.NullMarked;
