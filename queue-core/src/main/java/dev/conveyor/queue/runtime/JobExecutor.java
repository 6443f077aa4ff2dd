package dev.conveyor.queue.runtime;

import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobFailure;
import dev.conveyor.queue.JobHandler;
import dev.conveyor.queue.JobState;
import dev.conveyor.queue.JobTracing;
import dev.conveyor.queue.LeaseLostException;
import dev.conveyor.queue.QueueMetrics;
import dev.conveyor.queue.RetryPolicy;
import dev.conveyor.queue.jdbc.JobRepository;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one attempt and maps how the handler returned to an {@link Outcome}: the only place that
 * does. Completions go to the {@link Completer}; every other outcome is written here, retried with
 * backoff through a database outage.
 */
final class JobExecutor {

  private static final Logger log = LoggerFactory.getLogger(JobExecutor.class);
  private static final int MAX_ERROR_LENGTH = 4000;

  private final Map<String, JobHandler> handlers;
  private final RetryPolicy defaultRetry;
  private final JobRepository repository;
  private final QueueMetrics metrics;
  private final Completer completer;
  private final Supplier<Boolean> abandoned;
  private final OutcomeListener listener;
  private final @Nullable JobTracing tracing;

  /** Told when an outcome other than a batched completion was recorded. */
  interface OutcomeListener {
    /** The job left this worker; {@code comesBackIn} is set when it will run again. */
    void recorded(RunningJob job, Optional<Duration> comesBackIn);
  }

  JobExecutor(
      Map<String, JobHandler> handlers,
      RetryPolicy defaultRetry,
      JobRepository repository,
      QueueMetrics metrics,
      Completer completer,
      Supplier<Boolean> abandoned,
      OutcomeListener listener,
      @Nullable JobTracing tracing) {
    this.tracing = tracing;
    this.handlers = handlers;
    this.defaultRetry = defaultRetry;
    this.repository = repository;
    this.metrics = metrics;
    this.completer = completer;
    this.abandoned = abandoned;
    this.listener = listener;
  }

  void execute(RunningJob running) {
    Job job = running.job();
    MDC.put("job_id", Long.toString(job.id()));
    MDC.put("job_kind", job.kind());
    MDC.put("queue", job.queue());
    MDC.put("attempt", Integer.toString(job.attempt()));
    running.bindThread(Thread.currentThread());
    // Before the metrics' observation, so that its span (if any) is a child of this one.
    JobTracing.Execution traced = tracing == null ? null : tracing.startExecution(job);
    QueueMetrics.Execution execution = metrics.startExecution(job.queue(), job.kind());
    Outcome outcome;
    try {
      outcome = run(running);
    } finally {
      running.bindThread(null);
      Thread.interrupted(); // a release at shutdown may have interrupted us; recording goes on
    }
    execution.stop(outcome.tag());
    if (traced != null) {
      traced.end(outcome.tag(), outcome instanceof Outcome.Failed f ? f.error() : null);
    }
    try {
      record(running, outcome);
    } finally {
      MDC.clear();
    }
  }

  private Outcome run(RunningJob running) {
    Job job = running.job();
    JobHandler handler = handlers.get(job.kind());
    try {
      if (handler == null) {
        throw new IllegalStateException("no handler for job kind '" + job.kind() + "'");
      }
      handler.handle(running);
      return running.completedWithin() ? new Outcome.CompletedWithin() : new Outcome.Completed();
    } catch (JobFailure.Permanent e) {
      return new Outcome.Failed(e, true, Duration.ZERO);
    } catch (JobFailure.Snooze e) {
      return new Outcome.Snoozed(e.delay());
    } catch (JobFailure.Cancelled e) {
      if (!running.cancelRequested() && running.leaseLost()) {
        // The handler stopped because its lease was (presumed) lost, not because anyone cancelled
        // the job: a failed attempt, which the fence refuses unless the job is still this one's.
        return retry(job, handler, new LeaseLostException(job.id()));
      }
      return new Outcome.Cancelled();
    } catch (Throwable e) {
      if (running.completedWithin()) {
        log.warn("handler failed after completing its job in its own transaction", e);
        return new Outcome.CompletedWithin();
      }
      if (running.isCancellationRequested() && !running.leaseLost()) {
        return new Outcome.Cancelled();
      }
      return retry(job, handler, e);
    }
  }

  private Outcome retry(Job job, @Nullable JobHandler handler, Throwable error) {
    RetryPolicy policy =
        handler == null || handler.retryPolicy() == null ? defaultRetry : handler.retryPolicy();
    return new Outcome.Failed(error, false, policy.backoff(job.attempt()));
  }

  private void record(RunningJob running, Outcome outcome) {
    Job job = running.job();
    switch (outcome) {
      case Outcome.Completed c -> completer.submit(running);
      case Outcome.CompletedWithin c -> {
        metrics.outcome("completed", job.queue(), job.kind());
        listener.recorded(running, Optional.empty());
      }
      case Outcome.Snoozed s -> {
        Optional<JobState> state =
            persist(running, () -> repository.recordSnooze(job.id(), running.token(), s.delay()));
        state.ifPresent(
            st ->
                metrics.outcome(
                    st == JobState.CANCELLED ? "cancelled" : "snoozed", job.queue(), job.kind()));
        log.info("job {} snoozed for {}", job.id(), s.delay());
        listener.recorded(
            running, state.filter(st -> st == JobState.AVAILABLE).map(st -> s.delay()));
      }
      case Outcome.Cancelled c -> {
        Optional<Boolean> done =
            persist(
                running,
                () ->
                    Optional.of(repository.recordCancelled(job.id(), running.token()))
                        .filter(Boolean::booleanValue));
        done.ifPresent(
            d -> {
              metrics.outcome("cancelled", job.queue(), job.kind());
              log.info("job {} cancelled while running", job.id());
            });
        listener.recorded(running, Optional.empty());
      }
      case Outcome.Failed f -> recordFailure(running, f);
    }
  }

  private void recordFailure(RunningJob running, Outcome.Failed failed) {
    Job job = running.job();
    Throwable error = failed.error();
    String message = truncate(error.getMessage() == null ? error.toString() : error.getMessage());
    Optional<JobState> state =
        persist(
            running,
            () ->
                repository.recordFailure(
                    job.id(),
                    running.token(),
                    failed.permanent(),
                    failed.delay(),
                    message,
                    error.getClass().getName()));
    state.ifPresent(
        st -> {
          switch (st) {
            case AVAILABLE -> {
              metrics.outcome("retried", job.queue(), job.kind());
              // A retry is routine (a callback target down, say): one line; the stack trace at
              // DEBUG. The attempt's error is in the job's errors either way.
              log.info(
                  "job {} attempt {}/{} failed, retrying in {}: {}",
                  job.id(),
                  job.attempt(),
                  job.maxAttempts(),
                  failed.delay(),
                  message);
              log.debug("job {} attempt {} failed", job.id(), job.attempt(), error);
            }
            case DISCARDED -> {
              metrics.outcome("discarded", job.queue(), job.kind());
              log.warn(
                  "job {} discarded after attempt {}/{}{}: {}",
                  job.id(),
                  job.attempt(),
                  job.maxAttempts(),
                  failed.permanent() ? " (permanent failure)" : "",
                  message,
                  error);
            }
            case CANCELLED -> metrics.outcome("cancelled", job.queue(), job.kind());
            default -> {}
          }
        });
    listener.recorded(
        running, state.filter(st -> st == JobState.AVAILABLE).map(st -> failed.delay()));
  }

  /**
   * Writes an outcome, retrying through a database outage until it is written or the worker is torn
   * down. Empty when the fence refused it (the lease was lost: another attempt owns the job).
   */
  private <T> Optional<T> persist(RunningJob running, Supplier<Optional<T>> write) {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    while (true) {
      try {
        Optional<T> result = write.get();
        if (result.isEmpty()) {
          log.warn(
              "job {} lost its lease; this attempt's outcome was not recorded", running.job().id());
        }
        return result;
      } catch (RuntimeException e) {
        if (!Transience.isTransient(e) || abandoned.get()) {
          if (!abandoned.get()) {
            metrics.unrecorded(running.job().queue(), running.job().kind());
          }
          log.error(
              "could not record the outcome of job {}; its lease will expire and it will"
                  + " be rescued",
              running.job().id(),
              e);
          return Optional.empty();
        }
        log.error("recording the outcome of job {} failed; retrying", running.job().id(), e);
        try {
          Thread.sleep(backoff.next());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
      }
    }
  }

  /**
   * The error as stored: at most {@value #MAX_ERROR_LENGTH} characters, and without U+0000, which
   * PostgreSQL text cannot hold (a message quoting a binary reply would make the write fail, and
   * the outcome would be lost to a lease expiry).
   */
  private static String truncate(String message) {
    String text = message.replace('\0', '\uFFFD');
    return text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH);
  }
}
