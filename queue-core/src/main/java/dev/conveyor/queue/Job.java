package dev.conveyor.queue;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one job row.
 *
 * @param id identity, assigned at enqueue
 * @param queue the queue it is claimed from
 * @param kind the stable name that picks its {@link JobHandler}
 * @param payload the job's arguments, as JSON text
 * @param priority lower runs first; 0 by default
 * @param state where the job is in its life
 * @param runAt not claimed before this instant
 * @param attempt the attempt that is running or ran last; 0 before the first claim
 * @param maxAttempts attempts allowed before the job is discarded
 * @param uniqueKey the key no other unfinished job may hold, if any
 * @param leaseOwner the worker id holding (or that last held) the lease
 * @param leaseToken the fencing token of the current or last attempt
 * @param leaseExpiresAt when the running attempt's lease ends unless renewed
 * @param progress 0 to 100, as last persisted by the handler
 * @param errors every failed attempt's error, a JSON array of {@code {attempt, at, error, class}};
 *     see {@link JobQueue#errors(long)} for them parsed
 * @param cancelRequested whether cancellation was asked for
 * @param createdAt when it was enqueued
 * @param startedAt when the latest attempt started
 * @param finalizedAt when it reached a terminal state
 * @param partitionKey what a per-key concurrency limit counts this job by, if anything
 * @param traceContext the trace the job continues, stored at enqueue ({@link TraceCarrier}'s
 *     format), if it was traced
 */
public record Job(
    long id,
    String queue,
    String kind,
    String payload,
    int priority,
    JobState state,
    Instant runAt,
    int attempt,
    int maxAttempts,
    @Nullable String uniqueKey,
    @Nullable String leaseOwner,
    @Nullable UUID leaseToken,
    @Nullable Instant leaseExpiresAt,
    int progress,
    String errors,
    boolean cancelRequested,
    Instant createdAt,
    @Nullable Instant startedAt,
    @Nullable Instant finalizedAt,
    @Nullable String partitionKey,
    @Nullable String traceContext) {}
