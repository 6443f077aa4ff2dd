package dev.conveyor.queue.runtime;

import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.JobFailure;
import dev.conveyor.queue.LeaseLostException;
import dev.conveyor.queue.jdbc.JobRepository;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/** One claimed attempt held by this worker: the handler's {@link JobContext}. */
final class RunningJob implements JobContext {

  private static final Logger log = LoggerFactory.getLogger(RunningJob.class);
  private static final long PROGRESS_INTERVAL_NANOS = 1_000_000_000L;

  private final Job job;
  private final UUID token;
  private final JobRepository repository;
  private final TransactionTemplate transactions;
  private final TransactionTemplate outsideTransactions;
  private final LeaseKeeper leaseKeeper;

  /** {@link System#nanoTime()} from which the lease is presumed lost (see LeaseKeeper). */
  private final AtomicLong giveUpAtNanos;

  private volatile boolean cancellationRequested;
  private volatile boolean leaseLost;
  private volatile boolean leaseUnconfirmed;
  private volatile boolean completedWithin;
  private volatile @Nullable Thread thread;
  private long lastProgressWrite;

  RunningJob(
      Job job,
      long claimSentNanos,
      JobRepository repository,
      TransactionTemplate transactions,
      TransactionTemplate outsideTransactions,
      LeaseKeeper leaseKeeper) {
    this.job = job;
    this.token = JobContext.super.leaseToken();
    this.repository = repository;
    this.transactions = transactions;
    this.outsideTransactions = outsideTransactions;
    this.leaseKeeper = leaseKeeper;
    this.giveUpAtNanos = new AtomicLong(leaseKeeper.giveUpAt(claimSentNanos));
    this.cancellationRequested = job.cancelRequested();
  }

  @Override
  public Job job() {
    return job;
  }

  UUID token() {
    return token;
  }

  /**
   * Progress and heartbeats are written outside any transaction the handler is in (its {@link
   * #completeWithin} one above all): written inside, they would lock the job's row until that
   * transaction ends, so the lease keeper's heartbeats (one statement for all running jobs) and
   * cancellation requests would wait for the whole report.
   */
  @Override
  public void progress(int percent) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("progress must be between 0 and 100");
    }
    long now = System.nanoTime();
    synchronized (this) {
      if (lastProgressWrite != 0 && now - lastProgressWrite < PROGRESS_INTERVAL_NANOS) {
        return;
      }
      lastProgressWrite = now;
    }
    try {
      if (!Boolean.TRUE.equals(
          outsideTransactions.execute(s -> repository.updateProgress(job.id(), token, percent)))) {
        markLeaseLost();
      }
    } catch (RuntimeException e) {
      // Progress is advisory: a failed write must not fail the job.
      log.debug("could not persist progress of job {}", job.id(), e);
    }
  }

  @Override
  public boolean isCancellationRequested() {
    return cancellationRequested || leaseLost();
  }

  /**
   * Tells a lost lease from a cancellation: see {@link JobContext#throwIfCancellationRequested}.
   */
  @Override
  public void throwIfCancellationRequested() {
    if (cancellationRequested) {
      throw JobFailure.cancelled();
    }
    if (leaseLost()) {
      throw new LeaseLostException(job.id());
    }
  }

  @Override
  public void pauseQueueUntil(java.time.Instant until) {
    repository.pauseQueue(job.queue(), until);
  }

  @Override
  public boolean heartbeat() {
    return Boolean.TRUE.equals(outsideTransactions.execute(s -> leaseKeeper.extendNow(this)));
  }

  @Override
  public <T> T completeWithin(Supplier<T> work) {
    T result =
        transactions.execute(
            status -> {
              T value = work.get();
              if (repository.completeMany(new Long[] {job.id()}, new UUID[] {token}).isEmpty()) {
                throw new LeaseLostException(job.id());
              }
              return value;
            });
    completedWithin = true;
    return result;
  }

  boolean completedWithin() {
    return completedWithin;
  }

  /**
   * True once the fence refused a write of this attempt, the job was released at shutdown, or no
   * heartbeat renewed the lease in time: then another worker may hold the job, and this attempt
   * must stop treating it as its own (its writes stay fenced either way).
   */
  boolean leaseLost() {
    if (!leaseLost && System.nanoTime() - giveUpAtNanos.get() >= 0) {
      leaseLost = true;
      log.warn(
          "job {}: no heartbeat renewed its lease in time; presuming it lost and asking the handler"
              + " to stop",
          job.id());
    }
    return leaseLost;
  }

  /** Whether cancellation of the job itself was requested (a lost lease aside). */
  boolean cancelRequested() {
    return cancellationRequested;
  }

  /**
   * Whether the last heartbeat over this job failed (the database did not answer): its lease is not
   * confirmed, so a job still waiting in a buffer must not start (see QueueFetcher).
   */
  boolean leaseUnconfirmed() {
    return leaseUnconfirmed;
  }

  void markLeaseUnconfirmed() {
    leaseUnconfirmed = true;
  }

  /** A heartbeat renewed the lease; {@code giveUpAt} as computed by the LeaseKeeper. */
  void leaseRenewed(long giveUpAt) {
    leaseUnconfirmed = false;
    // Beats of the timer and of the handler's own heartbeat() may finish out of order.
    giveUpAtNanos.accumulateAndGet(
        giveUpAt, (current, later) -> later - current > 0 ? later : current);
  }

  void requestCancellation() {
    cancellationRequested = true;
  }

  void markLeaseLost() {
    leaseLost = true;
  }

  void bindThread(@Nullable Thread thread) {
    this.thread = thread;
  }

  boolean isHandlerRunning() {
    return thread != null;
  }

  void interrupt() {
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }
}
