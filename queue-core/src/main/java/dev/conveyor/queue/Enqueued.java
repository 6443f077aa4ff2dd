package dev.conveyor.queue;

/**
 * The result of enqueueing one request.
 *
 * @param job the job as stored
 * @param duplicate true when the request's unique key was held by an unfinished job, which is
 *     returned instead of a new one
 */
public record Enqueued(Job job, boolean duplicate) {}
