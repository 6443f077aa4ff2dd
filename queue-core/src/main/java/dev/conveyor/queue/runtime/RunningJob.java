package dev.conveyor.queue.runtime;

import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.LeaseLostException;
import dev.conveyor.queue.jdbc.JobRepository;
import java.util.UUID;
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
  private final QueueFetcher fetcher;

  private volatile boolean cancellationRequested;
  private volatile boolean leaseLost;
  private volatile boolean completedWithin;
  private volatile @Nullable Thread thread;
  private long lastProgressWrite;

  RunningJob(
      Job job,
      JobRepository repository,
      TransactionTemplate transactions,
      TransactionTemplate outsideTransactions,
      LeaseKeeper leaseKeeper,
      QueueFetcher fetcher) {
    this.job = job;
    this.token = JobContext.super.leaseToken();
    this.repository = repository;
    this.transactions = transactions;
    this.outsideTransactions = outsideTransactions;
    this.leaseKeeper = leaseKeeper;
    this.fetcher = fetcher;
    this.cancellationRequested = job.cancelRequested();
  }

  @Override
  public Job job() {
    return job;
  }

  UUID token() {
    return token;
  }

  QueueFetcher fetcher() {
    return fetcher;
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
    return cancellationRequested || leaseLost;
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

  boolean leaseLost() {
    return leaseLost;
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
