package dev.conveyor.queue.runtime;

import dev.conveyor.queue.Job;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claim loop of one queue. It claims at most as many jobs as it has free slots, in one
 * statement, and then waits: for a notification or the jittered poll when the queue ran dry, or for
 * freed slots when it is full. A claim never waits on another worker's (SKIP LOCKED).
 */
final class QueueFetcher implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(QueueFetcher.class);
  private static final Comparator<Job> CLAIM_ORDER =
      Comparator.comparingInt(Job::priority).thenComparing(Job::runAt).thenComparingLong(Job::id);

  /** Claims up to {@code demand} jobs of a queue for this worker. */
  @FunctionalInterface
  interface Claimer {
    List<Job> claim(String queue, int demand);
  }

  /** Takes the jobs of one claim, in claim order: runs them, or hands them back if stopping. */
  @FunctionalInterface
  interface Dispatcher {
    /**
     * @param claimSentNanos {@link System#nanoTime()} just before the claim was sent: the leases it
     *     granted run out no sooner than one lease duration after it
     */
    void dispatch(List<Job> jobs, long claimSentNanos);
  }

  private final String queue;
  private final Claimer claimer;
  private final WorkerConfig config;
  private final Dispatcher dispatch;
  private final AtomicInteger free;
  private final Waker waker = new Waker();
  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

  private volatile boolean waitingForSlots;
  private volatile boolean stopping;
  private volatile long lastSuccessNanos = System.nanoTime();
  private volatile boolean failing;

  QueueFetcher(
      String queue, int concurrency, Claimer claimer, WorkerConfig config, Dispatcher dispatch) {
    this.queue = queue;
    this.claimer = claimer;
    this.config = config;
    this.dispatch = dispatch;
    this.free = new AtomicInteger(concurrency);
  }

  String queue() {
    return queue;
  }

  /** New jobs may be there (a notification, a local retry coming due, a rescue). */
  void wake() {
    waker.signal();
  }

  /** A job of this queue finished running; its slot is free again. */
  void slotFreed() {
    free.incrementAndGet();
    if (waitingForSlots) {
      waker.signal();
    }
  }

  int running(int concurrency) {
    return concurrency - free.get();
  }

  boolean failing() {
    return failing;
  }

  long lastSuccessNanos() {
    return lastSuccessNanos;
  }

  void stop() {
    stopping = true;
    waker.signal();
  }

  @Override
  public void run() {
    long cooldown = config.fetchCooldown().toNanos();
    long lastClaim = System.nanoTime() - cooldown;
    try {
      while (!stopping) {
        int available = free.get();
        if (available == 0) {
          waitingForSlots = true;
          if (free.get() == 0) {
            waker.await(config.pollInterval().toNanos());
          }
          waitingForSlots = false;
          continue;
        }
        // Let freed slots gather so a busy queue claims in batches, not one job at a time.
        long sinceLast = System.nanoTime() - lastClaim;
        if (sinceLast < cooldown) {
          LockSupport.parkNanos(cooldown - sinceLast);
          available = free.get();
        }
        int demand = Math.min(available, config.maxClaimBatch());
        List<Job> jobs;
        long claimSent;
        try {
          claimSent = System.nanoTime();
          lastClaim = claimSent;
          jobs = claimer.claim(queue, demand);
          lastSuccessNanos = System.nanoTime();
          if (failing) {
            log.info("claiming from queue {} works again", queue);
          }
          failing = false;
          backoff.reset();
        } catch (RuntimeException | Error e) { // an Error must not end this queue's fetching
          if (!failing) {
            log.error("claiming from queue {} failed; backing off and retrying", queue, e);
          } else {
            log.debug("claiming from queue {} still fails", queue, e);
          }
          failing = true;
          waker.await(backoff.next().toNanos());
          continue;
        }
        log.debug("claimed {} of {} demanded from queue {}", jobs.size(), demand, queue);
        if (!jobs.isEmpty()) {
          free.addAndGet(-jobs.size());
          dispatch.dispatch(jobs.stream().sorted(CLAIM_ORDER).toList(), claimSent);
        }
        if (jobs.size() < demand) {
          waker.await(jittered(config.pollInterval()));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static long jittered(Duration interval) {
    long nanos = interval.toNanos();
    return nanos - nanos / 10 + ThreadLocalRandom.current().nextLong(nanos / 5 + 1);
  }
}
