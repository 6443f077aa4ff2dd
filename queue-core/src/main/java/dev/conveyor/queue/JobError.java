package dev.conveyor.queue;

import java.time.Instant;

/**
 * One failed attempt, as recorded in the job's errors.
 *
 * @param attempt the attempt that failed
 * @param at when the failure was recorded
 * @param error the message
 * @param errorClass the exception class, or {@code LeaseExpired} for a rescued attempt
 */
public record JobError(int attempt, Instant at, String error, String errorClass) {}
