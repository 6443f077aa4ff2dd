package dev.conveyor.queue.runtime;

import dev.conveyor.queue.jdbc.JobRepository;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the leases of every job this worker holds, in one statement per heartbeat, and learns from
 * the same statement which of them lost their lease or were asked to cancel.
 *
 * <p>It also tells each job until when its lease is surely held, on this JVM's monotonic clock: a
 * lease granted by a statement sent at {@code t} runs out in the database no sooner than {@code t +
 * lease}. A job whose heartbeats fail or hang is presumed lost in the last sixth of that (see
 * {@link #giveUpAt}), so its handler is told to stop before the rescuer may hand the job to another
 * worker.
 */
final class LeaseKeeper {

  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);
  private static final int CHUNK = 5000;

  private final JobRepository repository;
  private final Duration lease;
  private final Predicate<RunningJob> stillHeld;
  private final ReentrantLock batchWrites;

  /**
   * @param stillHeld whether the worker still holds a job after the statement ran (a job whose
   *     outcome was recorded meanwhile is no longer running, and that is no lost lease)
   */
  LeaseKeeper(
      JobRepository repository,
      Duration lease,
      Predicate<RunningJob> stillHeld,
      ReentrantLock batchWrites) {
    this.repository = repository;
    this.lease = lease;
    this.stillHeld = stillHeld;
    this.batchWrites = batchWrites;
  }

  /**
   * When a lease granted by a statement sent at {@code sentNanos} ({@link System#nanoTime()}) must
   * be presumed lost: in its last sixth. Heartbeats come at most a third of a lease apart, so by
   * then one beat has failed and the next is late, and one missed beat alone never gives a job up;
   * what is left is the handler's time to stop before the rescuer may take the job. Only durations
   * on the monotonic clock are compared, never this JVM's wall clock with the database's.
   */
  long giveUpAt(long sentNanos) {
    return sentNanos + lease.toNanos() - lease.toNanos() / 6;
  }

  /**
   * One heartbeat over {@code held}; failures are logged and the next beat tries again. The jobs of
   * a chunk whose statement failed are marked unconfirmed ({@link RunningJob#markLeaseUnconfirmed})
   * until a later beat renews them: buffered ones must not start.
   *
   * @return whether any lease was lost or left unconfirmed
   */
  boolean beat(Collection<RunningJob> held) {
    List<RunningJob> jobs = new ArrayList<>(held);
    boolean trouble = false;
    for (int from = 0; from < jobs.size(); from += CHUNK) {
      List<RunningJob> chunk = jobs.subList(from, Math.min(jobs.size(), from + CHUNK));
      try {
        trouble |= extend(chunk);
      } catch (RuntimeException | Error e) { // an Error would cancel the scheduled heartbeat
        chunk.forEach(RunningJob::markLeaseUnconfirmed);
        trouble = true;
        log.error("heartbeat failed for {} jobs; retrying at the next beat", chunk.size(), e);
      }
    }
    return trouble;
  }

  /** Extends one job's lease now; false if it was lost. */
  boolean extendNow(RunningJob job) {
    long sent = System.nanoTime();
    // One row: it cannot take part in a deadlock, so it needs no place in the batch order.
    Map<Long, Boolean> held =
        repository.extendLeases(new Long[] {job.job().id()}, new UUID[] {job.token()}, lease);
    Boolean cancel = held.get(job.job().id());
    if (cancel == null) {
      if (stillHeld.test(job)) {
        job.markLeaseLost();
      }
    } else {
      job.leaseRenewed(giveUpAt(sent));
      if (cancel) {
        job.requestCancellation();
      }
    }
    return !job.leaseLost();
  }

  /** Returns whether a job of the chunk lost its lease. */
  private boolean extend(List<RunningJob> chunk) {
    Long[] ids = new Long[chunk.size()];
    UUID[] tokens = new UUID[chunk.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = chunk.get(i).job().id();
      tokens[i] = chunk.get(i).token();
    }
    long sent = System.nanoTime();
    Map<Long, Boolean> held;
    // Never beside a completion or release of this worker (see WorkerRuntime#batchWrites).
    batchWrites.lock();
    try {
      held = repository.extendLeases(ids, tokens, lease);
    } finally {
      batchWrites.unlock();
    }
    boolean lost = false;
    for (RunningJob job : chunk) {
      Boolean cancel = held.get(job.job().id());
      if (cancel != null) {
        job.leaseRenewed(giveUpAt(sent));
      }
      if (cancel == null) {
        if (!stillHeld.test(job)) {
          continue;
        }
        if (!job.leaseLost()) {
          log.warn("job {} lost its lease; its outcome will not be recorded", job.job().id());
        }
        job.markLeaseLost();
        lost = true;
      } else if (cancel) {
        job.requestCancellation();
      }
    }
    return lost;
  }
}
