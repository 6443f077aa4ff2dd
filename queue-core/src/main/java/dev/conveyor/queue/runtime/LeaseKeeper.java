package dev.conveyor.queue.runtime;

import dev.conveyor.queue.jdbc.JobRepository;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the leases of every job this worker holds, in one statement per heartbeat, and learns from
 * the same statement which of them lost their lease or were asked to cancel.
 */
final class LeaseKeeper {

  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);
  private static final int CHUNK = 5000;

  private final JobRepository repository;
  private final Duration lease;
  private final Predicate<RunningJob> stillHeld;

  /**
   * @param stillHeld whether the worker still holds a job after the statement ran (a job whose
   *     outcome was recorded meanwhile is no longer running, and that is no lost lease)
   */
  LeaseKeeper(JobRepository repository, Duration lease, Predicate<RunningJob> stillHeld) {
    this.repository = repository;
    this.lease = lease;
    this.stillHeld = stillHeld;
  }

  /** One heartbeat over {@code held}; failures are logged and the next beat tries again. */
  void beat(Collection<RunningJob> held) {
    List<RunningJob> jobs = new ArrayList<>(held);
    for (int from = 0; from < jobs.size(); from += CHUNK) {
      List<RunningJob> chunk = jobs.subList(from, Math.min(jobs.size(), from + CHUNK));
      try {
        extend(chunk);
      } catch (RuntimeException e) {
        log.error("heartbeat failed for {} jobs; retrying at the next beat", chunk.size(), e);
      }
    }
  }

  /** Extends one job's lease now; false if it was lost. */
  boolean extendNow(RunningJob job) {
    extend(List.of(job));
    return !job.leaseLost();
  }

  private void extend(List<RunningJob> chunk) {
    Long[] ids = new Long[chunk.size()];
    UUID[] tokens = new UUID[chunk.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = chunk.get(i).job().id();
      tokens[i] = chunk.get(i).token();
    }
    Map<Long, Boolean> held = repository.extendLeases(ids, tokens, lease);
    for (RunningJob job : chunk) {
      Boolean cancel = held.get(job.job().id());
      if (cancel == null) {
        if (!stillHeld.test(job)) {
          continue;
        }
        if (!job.leaseLost()) {
          log.warn("job {} lost its lease; its outcome will not be recorded", job.job().id());
        }
        job.markLeaseLost();
      } else if (cancel) {
        job.requestCancellation();
      }
    }
  }
}
