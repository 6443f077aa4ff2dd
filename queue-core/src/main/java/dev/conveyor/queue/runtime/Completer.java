package dev.conveyor.queue.runtime;

import dev.conveyor.queue.jdbc.JobRepository;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes completions in batches: whatever finished while the previous write was in flight goes into
 * the next statement, so a busy worker completes hundreds of jobs per round trip and an idle one
 * still completes each job at once. A write that failed for a passing reason (database down, a
 * deadlock, too many connections: {@link Transience}) is retried with backoff until it succeeds or
 * the worker stops; the jobs stay held (and their leases renewed) until then.
 *
 * <p>A write the database refuses for a reason that retrying will not change (a constraint or data
 * error, a broken statement) is not retried: it would block every later completion behind it. The
 * batch is written again job by job, so that only the jobs whose own write is refused are dropped;
 * those are logged at ERROR and reported as dropped. Their rows stay running under a lease nobody
 * renews, so the rescuer takes them back after the lease, as after a crash.
 */
final class Completer implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(Completer.class);

  private final JobRepository repository;
  private final int maxBatch;
  private final BiConsumer<RunningJob, Boolean> recorded;
  private final Consumer<RunningJob> dropped;
  private final Runnable written;
  private final ReentrantLock batchWrites;
  private final LinkedBlockingQueue<RunningJob> pending = new LinkedBlockingQueue<>();
  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
  private volatile boolean draining;
  private volatile boolean abandoned;

  /**
   * @param recorded called per job once its completion was written ({@code true}) or refused by the
   *     fence ({@code false}), with {@code batchWrites} still held: the runtime lets go of the job
   *     there, before its next heartbeat can look for it
   * @param dropped called per job whose completion the database refused for good
   * @param written called after each batch left the backlog (claims may wait for that)
   * @param batchWrites held during each statement: a worker's batched writes of its own jobs never
   *     run beside each other (see WorkerRuntime)
   */
  Completer(
      JobRepository repository,
      int maxBatch,
      BiConsumer<RunningJob, Boolean> recorded,
      Consumer<RunningJob> dropped,
      Runnable written,
      ReentrantLock batchWrites) {
    this.repository = repository;
    this.maxBatch = maxBatch;
    this.recorded = recorded;
    this.dropped = dropped;
    this.written = written;
    this.batchWrites = batchWrites;
  }

  void submit(RunningJob job) {
    pending.add(job);
  }

  /** Finish what is queued, then end. */
  void drain() {
    draining = true;
  }

  /** Stop retrying: the worker is being torn down and the leases will expire. */
  void abandon() {
    abandoned = true;
  }

  int backlog() {
    return pending.size();
  }

  @Override
  public void run() {
    List<RunningJob> batch = new ArrayList<>();
    try {
      while (!(draining && pending.isEmpty()) && !abandoned) {
        RunningJob first = pending.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        pending.drainTo(batch, maxBatch - 1);
        write(batch);
        batch.clear();
        written.run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // The per-job loops live in small methods of their own: write runs once per batch, so its own
  // loops would make the JIT compile it (statement and all) on-stack while a fresh worker's first
  // batches run; these compile on their own, small.
  private void write(List<RunningJob> batch) throws InterruptedException {
    Long[] ids = new Long[batch.size()];
    UUID[] tokens = new UUID[batch.size()];
    attempts(batch, ids, tokens);
    while (!abandoned) {
      try {
        batchWrites.lock();
        try {
          Set<Long> completed = repository.completeMany(ids, tokens);
          backoff.reset();
          // Still under the lock: a heartbeat that comes next must find these jobs no longer held,
          // or it takes a job it no longer finds running for one whose lease was lost.
          report(batch, completed);
        } finally {
          batchWrites.unlock();
        }
        return;
      } catch (RuntimeException e) {
        if (!Transience.isTransient(e)) {
          refused(batch, e);
          return;
        }
        log.error("recording {} completions failed; retrying", batch.size(), e);
        Thread.sleep(backoff.next());
      }
    }
  }

  private static void attempts(List<RunningJob> batch, Long[] ids, UUID[] tokens) {
    for (int i = 0; i < ids.length; i++) {
      RunningJob job = batch.get(i);
      ids[i] = job.job().id();
      tokens[i] = job.token();
    }
  }

  private void report(List<RunningJob> batch, Set<Long> completed) {
    for (RunningJob job : batch) {
      recorded.accept(job, completed.contains(job.job().id()));
    }
  }

  /** A batch whose write failed for good: find the jobs that cause it, drop only those. */
  private void refused(List<RunningJob> batch, RuntimeException error) throws InterruptedException {
    if (batch.size() > 1) {
      log.error(
          "the database refused to record {} completions; writing them one at a time to find"
              + " the jobs it refuses",
          batch.size(),
          error);
      for (RunningJob job : batch) {
        write(List.of(job));
      }
      return;
    }
    RunningJob job = batch.getFirst();
    log.error(
        "the database refused to record the completion of job {} ({}); not retried: its lease"
            + " will expire and the rescuer will take it back",
        job.job().id(),
        job.job().kind(),
        error);
    dropped.accept(job);
  }
}
