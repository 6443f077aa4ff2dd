package dev.conveyor.api.console;

import dev.conveyor.api.auth.Caller;
import dev.conveyor.queue.CancelResult;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.QueueControl.QueueLimits;
import dev.conveyor.queue.RetryResult;
import java.util.OptionalLong;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The console's actions: each goes through queue-core's {@link JobQueue} and is recorded in {@code
 * console_audit} with the signed-in admin's name. A one-statement action and its audit row commit
 * together; retrying a queue's dead jobs runs in batches of {@value #RETRY_BATCH} (short
 * transactions) and is recorded once it is done, with how many it retried.
 */
@Service
class ConsoleActions {

  static final int RETRY_BATCH = 500;

  private final JobQueue queue;
  private final ConsoleRepository repository;

  ConsoleActions(JobQueue queue, ConsoleRepository repository) {
    this.queue = queue;
    this.repository = repository;
  }

  /** What an action did, in words for the page (and the audit row). */
  record Result(boolean done, String message) {}

  @Transactional
  Result retryJob(Caller caller, long id) {
    RetryResult result = queue.retry(id);
    return record(
        caller,
        "job.retry",
        "job " + id,
        result == RetryResult.RETRIED,
        switch (result) {
          case RETRIED -> "Job " + id + " will run again now.";
          case KEY_TAKEN ->
              "Job " + id + " was not retried: another unfinished job holds its unique key.";
          case NOT_RETRYABLE -> "Job " + id + " was not retried: it is not dead or cancelled.";
          case NOT_FOUND -> "Job " + id + " does not exist.";
        });
  }

  @Transactional
  Result cancelJob(Caller caller, long id) {
    CancelResult result = queue.cancel(id);
    return record(
        caller,
        "job.cancel",
        "job " + id,
        result == CancelResult.CANCELLED || result == CancelResult.CANCEL_REQUESTED,
        switch (result) {
          case CANCELLED -> "Job " + id + " was cancelled.";
          case CANCEL_REQUESTED -> "Job " + id + " is running: its handler was asked to stop.";
          case ALREADY_FINISHED -> "Job " + id + " had already finished.";
          case NOT_FOUND -> "Job " + id + " does not exist.";
        });
  }

  @Transactional
  Result deleteJob(Caller caller, long id) {
    boolean deleted = queue.delete(id);
    return record(
        caller,
        "job.delete",
        "job " + id,
        deleted,
        deleted
            ? "Job " + id + " was deleted."
            : "Job " + id + " was not deleted: it is running (cancel it first) or does not exist.");
  }

  /** Not one transaction: see {@link JobQueue#retryDead}. */
  Result retryDead(Caller caller, String queueName) {
    long retried = queue.retryDead(queueName, RETRY_BATCH);
    return record(
        caller,
        "queue.retry-dead",
        queueName,
        true,
        String.format("%,d dead jobs of queue %s will run again now.", retried, queueName));
  }

  @Transactional
  Result pauseQueue(Caller caller, String queueName) {
    queue.pause(queueName);
    return record(
        caller,
        "queue.pause",
        queueName,
        true,
        "Queue " + queueName + " is paused: no job of it starts until it is resumed.");
  }

  @Transactional
  Result resumeQueue(Caller caller, String queueName) {
    boolean resumed = queue.resume(queueName);
    return record(
        caller,
        "queue.resume",
        queueName,
        resumed,
        resumed
            ? "Queue " + queueName + " is resumed."
            : "Queue " + queueName + " was not paused.");
  }

  @Transactional
  Result setLimits(Caller caller, String queueName, QueueLimits limits) {
    queue.setLimits(queueName, limits);
    return record(
        caller,
        limits.any() ? "queue.limits" : "queue.clear-limits",
        queueName,
        true,
        limits.any()
            ? "Queue " + queueName + " limits set: " + ConsoleFormat.limits(limits) + "."
            : "Queue " + queueName + " has no limits now.");
  }

  @Transactional
  Result runScheduleNow(Caller caller, String name) {
    OptionalLong job = queue.runScheduleNow(name);
    return record(
        caller,
        "schedule.run-now",
        name,
        job.isPresent(),
        job.isPresent()
            ? "Schedule " + name + " enqueued job " + job.getAsLong() + "."
            : "Schedule " + name + " does not exist.");
  }

  @Transactional
  Result pauseSchedule(Caller caller, String name, boolean pause) {
    boolean found = pause ? queue.pauseSchedule(name) : queue.resumeSchedule(name);
    return record(
        caller,
        pause ? "schedule.pause" : "schedule.resume",
        name,
        found,
        !found
            ? "Schedule " + name + " does not exist."
            : pause
                ? "Schedule " + name + " is paused: it enqueues nothing until resumed."
                : "Schedule " + name + " is resumed.");
  }

  private Result record(Caller caller, String action, String target, boolean done, String text) {
    repository.insertAudit(caller.name(), action, target, text);
    return new Result(done, text);
  }
}
