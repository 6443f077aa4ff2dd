package dev.conveyor.queue.runtime;

import dev.conveyor.queue.Job;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One queue of a worker: its claim loop, its local buffer of claimed jobs, and its slots.
 *
 * <p><b>Claim ahead.</b> The queue keeps up to {@code concurrency} jobs running and, beyond that, a
 * buffer of claimed jobs that slots take as they free up, so that a slot whose job ends starts the
 * next one without waiting for a claim's round trip. Buffered jobs are claimed like running ones
 * (state {@code running}, a lease and a token of their own), so the lease keeper renews them and
 * the rescuer takes them back if this process dies. The buffer's size follows how fast the queue's
 * jobs start: about {@value WorkerConfig#CLAIM_AHEAD_HORIZON_MILLIS} ms of the recent start rate
 * (or two claim round trips, if longer), at most {@link WorkerConfig#claimAhead()}; so no-op jobs
 * are claimed hundreds at a time, and jobs that take seconds are not hoarded by one worker while
 * others idle. Queues with limits never claim ahead (see {@link WorkerRuntime}).
 *
 * <p><b>Pacing.</b> The loop claims again as soon as the buffer is down to half its size and there
 * is room, and at once after a full claim; after a claim that came back short (the queue ran dry)
 * it waits for a notification or the jittered poll. A notification that finds the loop waiting for
 * news is claimed on the notifying thread itself ({@link #wakeAndClaim}), one hand-off fewer on the
 * pickup path. At most one claim of the queue is in flight at a time.
 *
 * <p><b>Starting.</b> A slot starts a buffered job only while its lease is presumed held (see
 * {@link RunningJob#leaseLost}); jobs whose lease was lost or could not be renewed are taken out of
 * the buffer ({@link #evict}) and never start. On {@link #stop} the buffer is emptied at once and
 * its jobs are handed back.
 */
final class QueueFetcher implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(QueueFetcher.class);
  private static final Comparator<Job> CLAIM_ORDER = QueueFetcher::claimOrder;
  private static final long RATE_SAMPLE_NANOS = 1_000_000L;
  private static final long RATE_WINDOW_NANOS = 10_000_000L;
  private static final long HORIZON_NANOS = WorkerConfig.CLAIM_AHEAD_HORIZON_MILLIS * 1_000_000L;

  /** Claims up to {@code demand} jobs of a queue for this worker. */
  @FunctionalInterface
  interface Claimer {
    List<Job> claim(String queue, int demand);
  }

  /** What the fetcher needs from its runtime. */
  interface Host {
    /**
     * Takes a claimed job into the worker's care (its lease is renewed from now on).
     *
     * @param claimSentNanos {@link System#nanoTime()} just before the claim was sent: the lease it
     *     granted runs out no sooner than one lease duration after it
     */
    RunningJob hold(Job job, long claimSentNanos);

    /** A slot is about to run {@code job}; called under the fetcher's lock. */
    void starting(RunningJob job);

    /** Runs the job on the calling slot thread and records its outcome. */
    void execute(RunningJob job);

    /** Claimed jobs that will never start here: stop renewing them and hand them back. */
    void handBack(List<RunningJob> jobs, String why);

    /** Whether this queue may claim beyond its free slots (not for queues with limits). */
    boolean mayClaimAhead(String queue);

    /** Whether completions are so far behind that claiming should wait for them. */
    boolean completionsBehind();
  }

  private final String queue;
  private final int concurrency;
  private final int claimAheadCap;
  private final Claimer claimer;
  private final WorkerConfig config;
  private final Host host;
  private final Waker waker = new Waker();
  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

  /** Guards the buffer and the counters below; slots wait on {@link #jobReady}. */
  private final ReentrantLock lock = new ReentrantLock();

  private final Condition jobReady = lock.newCondition();
  private final ArrayDeque<RunningJob> buffer = new ArrayDeque<>();
  private int running;
  private int idleSlots;
  private long starts;
  private boolean stopping;

  /** One claim of this queue at a time, whichever thread sends it. */
  private final ReentrantLock claimLock = new ReentrantLock();

  /** Start rate (jobs per second), smoothed; sizes the buffer. Under {@link #lock}. */
  private double startRate;

  private long rateSampledAt = System.nanoTime();
  private long startsAtSample;

  private volatile boolean waitingForRoom;
  private volatile boolean waitingForNews;
  private volatile long lastSuccessNanos = System.nanoTime();
  private volatile boolean failing;
  private volatile long lastClaimNanos;

  /** How long a claim takes, smoothed; written under {@link #claimLock}. */
  private volatile long claimNanos;

  private final List<Thread> slots = new ArrayList<>();

  QueueFetcher(String queue, int concurrency, Claimer claimer, WorkerConfig config, Host host) {
    this.queue = queue;
    this.concurrency = concurrency;
    this.claimAheadCap = config.claimAhead();
    this.claimer = claimer;
    this.config = config;
    this.host = host;
  }

  String queue() {
    return queue;
  }

  /** Starts the queue's slots (virtual threads that take jobs from the buffer). */
  void startSlots() {
    for (int i = 0; i < concurrency; i++) {
      slots.add(Thread.ofVirtual().name("conveyor-job-" + queue + "-" + i).start(this::slotLoop));
    }
  }

  /** New jobs may be there (a local retry coming due, a rescue, a reconnect). */
  void wake() {
    waker.signal();
  }

  /**
   * A notification says the queue has a new job: if the loop is waiting for news and no claim is in
   * flight, claim on this thread and hand the jobs straight to idle slots; else wake the loop.
   */
  void wakeAndClaim() {
    if (!waitingForNews || stopping() || !claimLock.tryLock()) {
      waker.signal();
      return;
    }
    try {
      int demand = demand();
      if (demand == 0 || !waitingForNews) {
        waker.signal();
        return;
      }
      int claimed = claim(demand);
      if (claimed == demand) {
        // Maybe more where these came from: let the loop carry on.
        waker.signal();
      }
    } catch (RuntimeException | Error e) {
      log.debug(
          "claiming from queue {} on a notification failed; the claim loop retries", queue, e);
      waker.signal();
    } finally {
      claimLock.unlock();
    }
  }

  /** Handlers running now. */
  int running() {
    lock.lock();
    try {
      return running;
    } finally {
      lock.unlock();
    }
  }

  /** Claimed jobs waiting in the buffer. */
  int buffered() {
    lock.lock();
    try {
      return buffer.size();
    } finally {
      lock.unlock();
    }
  }

  boolean failing() {
    return failing;
  }

  long lastSuccessNanos() {
    return lastSuccessNanos;
  }

  /** Completions caught up, or something else changed that may make room for a claim. */
  void roomMaybe() {
    if (waitingForRoom) {
      waker.signal();
    }
  }

  /**
   * Stops claiming and starting: idle slots end, running jobs finish, and the buffered jobs are
   * returned (the caller hands them back).
   */
  List<RunningJob> stop() {
    List<RunningJob> left;
    lock.lock();
    try {
      stopping = true;
      left = new ArrayList<>(buffer);
      buffer.clear();
      jobReady.signalAll();
    } finally {
      lock.unlock();
    }
    waker.signal();
    return left;
  }

  /** Interrupts the slot threads (after a stop, when the runtime tears down). */
  void interruptSlots() {
    slots.forEach(Thread::interrupt);
  }

  /**
   * Takes out of the buffer the jobs that must not start (lease lost or not confirmed); returns
   * them. Jobs already started are not affected.
   */
  List<RunningJob> evict(Predicate<RunningJob> mustNotStart) {
    List<RunningJob> evicted = new ArrayList<>();
    lock.lock();
    try {
      buffer.removeIf(
          job -> {
            if (mustNotStart.test(job)) {
              evicted.add(job);
              return true;
            }
            return false;
          });
    } finally {
      lock.unlock();
    }
    if (!evicted.isEmpty()) {
      roomMaybe();
    }
    return evicted;
  }

  private boolean stopping() {
    lock.lock();
    try {
      return stopping;
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- slots

  private void slotLoop() {
    boolean ranOne = false;
    while (true) {
      RunningJob job = take(ranOne);
      if (job == null) {
        return;
      }
      Thread.interrupted(); // a stale interrupt meant for the previous job's handler
      try {
        host.execute(job);
      } catch (RuntimeException | Error e) {
        finished();
        throw e;
      }
      ranOne = true;
    }
  }

  /**
   * The next job to run, or null once stopping. {@code ranOne}: this slot's previous job just
   * ended, counted here under the same lock as the next start (one lock round per job, not two).
   */
  private @Nullable RunningJob take(boolean ranOne) {
    List<RunningJob> lost = null;
    lock.lock();
    try {
      if (ranOne) {
        running--;
        signalIfClaimWanted();
      }
      while (true) {
        if (stopping) {
          return null;
        }
        RunningJob job = buffer.pollFirst();
        if (job != null) {
          if (job.leaseLost()) {
            // Fencing: a job starts only under the lease its claim gave it, still presumed held.
            if (lost == null) {
              lost = new ArrayList<>();
            }
            lost.add(job);
            continue;
          }
          running++;
          starts++;
          host.starting(job);
          signalIfClaimWanted();
          return job;
        }
        idleSlots++;
        signalIfClaimWanted();
        try {
          jobReady.awaitUninterruptibly();
        } finally {
          idleSlots--;
        }
      }
    } finally {
      lock.unlock();
      if (lost != null) {
        host.handBack(lost, "buffered jobs whose lease was presumed lost");
      }
    }
  }

  private void finished() {
    lock.lock();
    try {
      running--;
      signalIfClaimWanted();
    } finally {
      lock.unlock();
    }
  }

  /** Under {@link #lock}: wakes the loop if it waits for room and a claim is now wanted. */
  private void signalIfClaimWanted() {
    if (waitingForRoom && demandLocked() > 0) {
      waitingForRoom = false;
      waker.signal();
    }
  }

  // ---------------------------------------------------------------- claiming

  @Override
  public void run() {
    long cooldown = config.fetchCooldown().toNanos();
    try {
      while (!stopping()) {
        int demand = demand();
        if (demand == 0) {
          waitingForRoom = true;
          boolean woken = demand() > 0 || waker.await(config.pollInterval().toNanos());
          waitingForRoom = false;
          if (!woken) {
            // A whole poll interval without a slot freeing up: these jobs are slow, and the buffer
            // is no longer worth its jobs' wait while other workers may idle.
            trim();
          }
          continue;
        }
        if (cooldown > 0) {
          long since = System.nanoTime() - lastClaimNanos;
          if (since < cooldown) {
            LockSupport.parkNanos(cooldown - since);
            continue;
          }
        }
        int claimed;
        claimLock.lock();
        try {
          demand = demand();
          if (demand == 0) {
            continue;
          }
          claimed = claim(demand);
        } catch (RuntimeException | Error e) { // an Error must not end this queue's fetching
          if (!failing) {
            log.error("claiming from queue {} failed; backing off and retrying", queue, e);
          } else {
            log.debug("claiming from queue {} still fails", queue, e);
          }
          failing = true;
          claimed = -1;
        } finally {
          claimLock.unlock();
        }
        if (claimed < 0) {
          waker.await(backoff.next().toNanos());
          continue;
        }
        if (claimed < demand) {
          // The queue ran dry: wait for a notification (claimed on the listener's thread, see
          // wakeAndClaim) or the poll.
          waitingForNews = true;
          waker.await(jittered(config.pollInterval()));
          waitingForNews = false;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Hands back what the buffer holds beyond its target (the last claimed first). */
  private void trim() {
    List<RunningJob> excess = new ArrayList<>();
    lock.lock();
    try {
      int target = host.mayClaimAhead(queue) ? bufferTarget() : 0;
      int keep = Math.max(target, idleSlots);
      while (buffer.size() > keep) {
        excess.add(buffer.pollLast());
      }
    } finally {
      lock.unlock();
    }
    if (!excess.isEmpty()) {
      host.handBack(excess, "buffered jobs of a queue whose jobs are slow now");
    }
  }

  /** Claims up to {@code demand} jobs and buffers them; under {@link #claimLock}. */
  private int claim(int demand) {
    long sent = System.nanoTime();
    lastClaimNanos = sent;
    List<Job> jobs = claimer.claim(queue, demand);
    lastSuccessNanos = System.nanoTime();
    long took = lastSuccessNanos - sent;
    claimNanos = claimNanos == 0 ? took : (claimNanos * 3 + took) / 4;
    if (failing) {
      log.info("claiming from queue {} works again", queue);
    }
    failing = false;
    backoff.reset();
    log.debug("claimed {} of {} demanded from queue {}", jobs.size(), demand, queue);
    if (!jobs.isEmpty()) {
      accept(jobs, sent);
    }
    return jobs.size();
  }

  /** The claim's ORDER BY (priority, run_at, id); RETURNING gives the rows in no order. */
  private static int claimOrder(Job a, Job b) {
    int byPriority = Integer.compare(a.priority(), b.priority());
    if (byPriority != 0) {
      return byPriority;
    }
    int byRunAt = a.runAt().compareTo(b.runAt());
    return byRunAt != 0 ? byRunAt : Long.compare(a.id(), b.id());
  }

  private void accept(List<Job> jobs, long claimSentNanos) {
    List<Job> ordered = new ArrayList<>(jobs);
    ordered.sort(CLAIM_ORDER);
    List<RunningJob> held = new ArrayList<>(ordered.size());
    for (Job job : ordered) {
      held.add(host.hold(job, claimSentNanos));
    }
    lock.lock();
    try {
      if (!stopping) {
        buffer.addAll(held);
        int wake = Math.min(idleSlots, held.size());
        if (wake >= idleSlots) {
          jobReady.signalAll();
        } else {
          for (int i = 0; i < wake; i++) {
            jobReady.signal();
          }
        }
        return;
      }
    } finally {
      lock.unlock();
    }
    // Claimed after stop began: stop neither waits for nor releases these.
    host.handBack(held, "jobs claimed while stopping");
  }

  /** How many jobs to claim now; 0 when no claim is wanted. */
  private int demand() {
    lock.lock();
    try {
      return demandLocked();
    } finally {
      lock.unlock();
    }
  }

  private int demandLocked() {
    if (stopping || host.completionsBehind()) {
      return 0;
    }
    int target = host.mayClaimAhead(queue) ? bufferTarget() : 0;
    int room = concurrency + target - running - buffer.size();
    if (room <= 0 || buffer.size() > target / 2) {
      return 0;
    }
    return Math.min(room, config.maxClaimBatch());
  }

  /**
   * The buffer this queue keeps: the jobs it starts in {@value
   * WorkerConfig#CLAIM_AHEAD_HORIZON_MILLIS} ms at its recent start rate, at most the configured
   * cap. Under {@link #lock}.
   */
  private int bufferTarget() {
    if (claimAheadCap == 0) {
      return 0;
    }
    long now = System.nanoTime();
    long elapsed = now - rateSampledAt;
    if (elapsed >= RATE_SAMPLE_NANOS) {
      // Weighted by how long the sample is: a long quiet spell resets the rate at once, short
      // busy samples raise it within a few claims.
      double sample = (starts - startsAtSample) * 1e9 / elapsed;
      double weight = Math.min(1.0, (double) elapsed / RATE_WINDOW_NANOS);
      startRate += weight * (sample - startRate);
      rateSampledAt = now;
      startsAtSample = starts;
    }
    // Rounded down: a queue that starts fewer than one job per horizon keeps no buffer. The
    // horizon is at least two claim round trips, so that on a slow or busy database the buffer
    // still outlasts the claim that refills it.
    long horizon = Math.max(HORIZON_NANOS, 2 * claimNanos);
    double target = startRate * horizon / 1e9;
    return (int) Math.min(claimAheadCap, target);
  }

  private static long jittered(Duration interval) {
    long nanos = interval.toNanos();
    return nanos - nanos / 10 + ThreadLocalRandom.current().nextLong(nanos / 5 + 1);
  }
}
