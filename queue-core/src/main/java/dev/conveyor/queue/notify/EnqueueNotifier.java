package dev.conveyor.queue.notify;

import dev.conveyor.queue.jdbc.JobRepository;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Wakes workers for committed enqueues with at most one {@code NOTIFY conveyor_job} per {@code
 * interval}, instead of one per enqueueing transaction. For producers that enqueue at high rates
 * from many transactions (an API accepting hundreds of requests a second).
 *
 * <p><b>Why.</b> PostgreSQL serializes the commits of all transactions that sent a NOTIFY in one
 * database on a single lock (held from the pre-commit queue insert until the commit record is
 * flushed, so commit flushes cannot be grouped), and signals every listening backend of the
 * database per notifying commit. It collapses identical notifications within one transaction, but
 * not across transactions.
 *
 * <p><b>Contract.</b> Every committed enqueue of a job runnable now is followed, after its commit,
 * by a notification of its queue: the first one in a quiet period at once (on this notifier's
 * thread), later ones within {@code interval} of the previous notification, together with every
 * other queue marked meanwhile. A rolled-back enqueue sends nothing. As with every NOTIFY this is a
 * hint: if the process dies between a commit and the notification, or the notification fails, the
 * job is found by the workers' poll.
 *
 * <p>The notification runs on a pooled connection of its own, outside any transaction. Thread-safe;
 * one per {@code DataSource}; {@link #close()} sends what is pending and stops the thread.
 */
public final class EnqueueNotifier implements AutoCloseable {

  /** The default interval: a few milliseconds of extra pickup latency at most, under load only. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(10);

  private static final Logger log = LoggerFactory.getLogger(EnqueueNotifier.class);

  private final JobRepository repository;
  private final long intervalNanos;
  private final ScheduledExecutorService thread;
  // Lock-free: mark() runs in every enqueueing transaction's afterCommit, while its thread still
  // holds a pooled connection, so a contended monitor here would hold connections too.
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile long lastSentNanos;

  /**
   * @param dataSource the queue's database
   * @param interval the least time between two notifications; zero sends one per committed
   *     transaction (still after commit, still coalescing the enqueues that commit while one is
   *     being sent)
   */
  public EnqueueNotifier(DataSource dataSource, Duration interval) {
    if (interval.isNegative()) {
      throw new IllegalArgumentException("interval must not be negative");
    }
    this.repository = new JobRepository(dataSource, null);
    this.intervalNanos = interval.toNanos();
    this.lastSentNanos = System.nanoTime() - intervalNanos;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("conveyor-enqueue-notifier").daemon().unstarted(r));
  }

  /**
   * Notifies {@code queues} once the current transaction commits (not at all if it rolls back), or
   * at once outside a transaction.
   */
  public void afterCommit(Collection<String> queues) {
    if (queues.isEmpty()) {
      return;
    }
    List<String> copy = List.copyOf(queues);
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCommit() {
              mark(copy);
            }
          });
    } else {
      mark(copy);
    }
  }

  /**
   * Adds the queues, then schedules a send unless one is scheduled and has not started draining:
   * {@link #send} clears {@code scheduled} before it drains, so a queue added after its drain began
   * finds {@code scheduled} false (or set by another such mark) and a later send takes it.
   */
  private void mark(List<String> queues) {
    pending.addAll(queues);
    if (!scheduled.compareAndSet(false, true)) {
      return; // the scheduled notification will carry these queues too
    }
    long delay = Math.max(0, lastSentNanos + intervalNanos - System.nanoTime());
    try {
      thread.schedule(this::send, delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closed) {
      scheduled.set(false);
    }
  }

  private void send() {
    scheduled.set(false);
    lastSentNanos = System.nanoTime();
    List<String> queues = new ArrayList<>();
    for (String queue : pending) {
      if (pending.remove(queue)) {
        queues.add(queue);
      }
    }
    if (queues.isEmpty()) {
      return;
    }
    try {
      repository.notifyQueues(queues);
    } catch (RuntimeException e) {
      // A hint only: the workers' poll finds the jobs.
      log.warn("Could not notify workers of queues {}; they find the jobs by polling", queues, e);
    }
  }

  /** Sends what is pending and stops; later enqueues wake nobody (workers still poll). */
  @Override
  public void close() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
    }
    send();
  }
}
