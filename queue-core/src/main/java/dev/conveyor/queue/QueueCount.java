package dev.conveyor.queue;

/**
 * How many jobs one queue holds in one state.
 *
 * @param queue the queue name
 * @param state the state
 * @param jobs the number of jobs
 */
public record QueueCount(String queue, JobState state, long jobs) {}
