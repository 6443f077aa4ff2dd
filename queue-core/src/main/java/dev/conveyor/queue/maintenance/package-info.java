/**
 * Background services that keep the queue healthy, one class each with {@code start()} and {@code
 * stop()}: rescue expired leases, prune finished jobs, sample queue depth. Every worker may run
 * them at once: the rescuer and the pruner work in small {@code SKIP LOCKED} batches, and the depth
 * sampler of whichever process first finds a sample due takes it for the cluster (a transaction
 * advisory lock), so there is no leader to lose and no long lock.
 */
@NullMarked
package dev.conveyor.queue.maintenance;

import org.jspecify.annotations.NullMarked;
