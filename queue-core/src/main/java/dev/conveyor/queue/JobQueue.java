package dev.conveyor.queue;

import dev.conveyor.queue.QueueControl.QueueLimits;
import dev.conveyor.queue.jdbc.JobRepository;
import dev.conveyor.queue.jdbc.OperationsRepository;
import dev.conveyor.queue.notify.EnqueueNotifier;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The producer and operator side of the queue: enqueue, look up, cancel, retry, count.
 *
 * <p><b>Transactions.</b> Every call joins the caller's Spring-managed transaction on the same
 * {@link DataSource} (including one run by a JPA transaction manager), so a job enqueued next to a
 * business row commits or rolls back with it: after a rollback the job never existed and no worker
 * was woken. Without a transaction each call commits on its own.
 *
 * <p><b>Wake-up.</b> Enqueueing a job that may run now sends {@code NOTIFY conveyor_job} with the
 * queue name, which PostgreSQL delivers at commit; workers also poll, so a lost notification only
 * delays a job. With an {@link EnqueueNotifier}, the enqueue sends no NOTIFY itself; the notifier
 * sends one after commit, coalescing the enqueues of many transactions (for high enqueue rates).
 *
 * <p>Thread-safe; create one per {@code DataSource} and share it.
 */
public final class JobQueue {

  private static final int MAX_KEY_RACE_ROUNDS = 10;

  private final JobRepository repository;
  private final OperationsRepository operations;
  private final QueueMetrics metrics;
  private final @Nullable EnqueueNotifier notifier;
  private final InstantSource clock;
  private final @Nullable JobTracing tracing;

  /** A queue on {@code dataSource} with database time and meters that go nowhere. */
  public JobQueue(DataSource dataSource) {
    this(dataSource, QueueMetrics.simple(), null);
  }

  /**
   * @param dataSource the database holding the {@code conveyor} schema
   * @param metrics where to count enqueued jobs
   * @param clock the queue's notion of now; {@code null} uses the database clock
   */
  public JobQueue(DataSource dataSource, QueueMetrics metrics, @Nullable InstantSource clock) {
    this(dataSource, metrics, clock, null);
  }

  /**
   * @param dataSource the database holding the {@code conveyor} schema
   * @param metrics where to count enqueued jobs
   * @param clock the queue's notion of now; {@code null} uses the database clock
   * @param notifier wakes workers after commit, coalesced across transactions; {@code null} sends a
   *     NOTIFY from each enqueueing transaction (the default)
   */
  public JobQueue(
      DataSource dataSource,
      QueueMetrics metrics,
      @Nullable InstantSource clock,
      @Nullable EnqueueNotifier notifier) {
    this(dataSource, metrics, clock, notifier, null);
  }

  /**
   * @param dataSource the database holding the {@code conveyor} schema
   * @param metrics where to count enqueued jobs
   * @param clock the queue's notion of now; {@code null} uses the database clock
   * @param notifier wakes workers after commit, coalesced across transactions; {@code null} sends a
   *     NOTIFY from each enqueueing transaction (the default)
   * @param tracing stores the enqueueing thread's trace with each job whose request carries none
   *     ({@link JobTracing#startEnqueue}); {@code null} (the default) traces nothing
   */
  public JobQueue(
      DataSource dataSource,
      QueueMetrics metrics,
      @Nullable InstantSource clock,
      @Nullable EnqueueNotifier notifier,
      @Nullable JobTracing tracing) {
    this.repository = new JobRepository(dataSource, clock);
    this.operations = new OperationsRepository(dataSource, clock);
    this.metrics = metrics;
    this.notifier = notifier;
    this.clock = clock == null ? InstantSource.system() : clock;
    this.tracing = tracing;
  }

  /**
   * Enqueues one job in the caller's transaction. If the request has a unique key that an
   * unfinished job holds, that job is returned with {@code duplicate = true} and nothing is added;
   * concurrent enqueues of one key add exactly one job.
   *
   * @throws org.springframework.dao.DataIntegrityViolationException if the payload is not valid
   *     JSON
   */
  public Enqueued enqueue(JobRequest request) {
    return traced(request, 0).enqueued();
  }

  /**
   * What {@link #enqueueCountingAhead} returns: the enqueued (or duplicate) job and how many
   * available jobs of its queue a claim takes before it, counted up to the given maximum (empty if
   * the job is not waiting, as {@link #jobsAhead(long, long)}).
   */
  public record Placed(Enqueued enqueued, OptionalLong jobsAhead) {}

  /**
   * {@link #enqueue(JobRequest)} followed by {@link #jobsAhead(long, long)}, but a new job is
   * counted in the insert's own statement: one round trip instead of two, for hot paths that answer
   * every enqueue with its place in the queue. A duplicate's holder is counted by a second query.
   *
   * @param max count at most this many (at least 1)
   */
  public Placed enqueueCountingAhead(JobRequest request, long max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1");
    }
    return traced(request, max);
  }

  /** {@link #place}, with the enqueue traced when there is a hook and the request has no trace. */
  private Placed traced(JobRequest request, long max) {
    JobTracing.Enqueue enqueue =
        tracing == null || request.traceContext() != null ? null : tracing.startEnqueue(request);
    if (enqueue == null) {
      return place(request, max);
    }
    try {
      Placed placed = place(request.withTraceContext(enqueue.context()), max);
      enqueue.end(placed.enqueued().job(), null);
      return placed;
    } catch (RuntimeException | Error e) {
      enqueue.end(null, e);
      throw e;
    }
  }

  /**
   * Enqueues; with {@code max > 0} also counts the jobs ahead (else {@code jobsAhead} is empty).
   */
  private Placed place(JobRequest request, long max) {
    for (int round = 0; round < MAX_KEY_RACE_ROUNDS; round++) {
      Optional<JobRepository.InsertedJob> inserted =
          repository.enqueueOne(request, notifier == null, max);
      if (inserted.isPresent()) {
        countAfterCommit(List.of(request));
        wakeAfterCommit(List.of(request));
        JobRepository.InsertedJob job = inserted.get();
        return new Placed(new Enqueued(job.job(), false), job.ahead());
      }
      String key =
          java.util.Objects.requireNonNull(request.uniqueKey(), "only a keyed insert conflicts");
      List<Job> holder = repository.findUnfinishedByKeys(List.of(key));
      if (!holder.isEmpty()) {
        Job held = holder.getFirst();
        return new Placed(
            new Enqueued(held, true),
            max == 0 ? OptionalLong.empty() : repository.countAhead(held.id(), max));
      }
      // The holder finished between the insert and the look-up: the key is free, insert again.
    }
    throw keyRaceLost();
  }

  /**
   * Enqueues many jobs in one statement, in the caller's transaction; results are in request order.
   * Unique keys behave as in {@link #enqueue(JobRequest)}, also between requests of the same batch.
   */
  public List<Enqueued> enqueueAll(List<JobRequest> requests) {
    if (requests.isEmpty()) {
      return List.of();
    }
    if (tracing == null) {
      return placeAll(requests);
    }
    List<JobRequest> traced = new ArrayList<>(requests.size());
    List<JobTracing.@Nullable Enqueue> enqueues = new ArrayList<>(requests.size());
    for (JobRequest request : requests) {
      JobTracing.Enqueue enqueue =
          request.traceContext() != null ? null : tracing.startEnqueue(request);
      enqueues.add(enqueue);
      traced.add(enqueue == null ? request : request.withTraceContext(enqueue.context()));
    }
    try {
      List<Enqueued> results = placeAll(traced);
      for (int i = 0; i < enqueues.size(); i++) {
        JobTracing.Enqueue enqueue = enqueues.get(i);
        if (enqueue != null) {
          enqueue.end(results.get(i).job(), null);
        }
      }
      return results;
    } catch (RuntimeException | Error e) {
      for (JobTracing.Enqueue enqueue : enqueues) {
        if (enqueue != null) {
          enqueue.end(null, e);
        }
      }
      throw e;
    }
  }

  private List<Enqueued> placeAll(List<JobRequest> requests) {
    Enqueued[] results = new Enqueued[requests.size()];
    List<Integer> pending = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      pending.add(i);
    }
    for (int round = 0; !pending.isEmpty(); round++) {
      if (round == MAX_KEY_RACE_ROUNDS) {
        throw keyRaceLost();
      }
      pending = insertRound(requests, pending, results);
    }
    List<JobRequest> added = new ArrayList<>();
    for (int i = 0; i < results.length; i++) {
      if (!results[i].duplicate()) {
        added.add(requests.get(i));
      }
    }
    countAfterCommit(added);
    wakeAfterCommit(added);
    return Arrays.asList(results);
  }

  /**
   * With a notifier: marks the queues of the added jobs that may run now. A delayed job wakes
   * nobody (the poll finds it), as in the SQL that notifies itself; the app clock decides here, and
   * a skewed clock only costs a spare notification or a poll interval.
   */
  private void wakeAfterCommit(List<JobRequest> added) {
    if (notifier == null) {
      return;
    }
    Instant now = clock.instant();
    Set<String> queues = new LinkedHashSet<>();
    for (JobRequest r : added) {
      if (r.runAt() == null || !r.runAt().isAfter(now)) {
        queues.add(r.queue());
      }
    }
    notifier.afterCommit(queues);
  }

  private static IllegalStateException keyRaceLost() {
    return new IllegalStateException(
        "unique keys kept changing hands while enqueueing; gave up after "
            + MAX_KEY_RACE_ROUNDS
            + " rounds");
  }

  /**
   * Inserts the pending requests; fills {@code results} for the inserted ones and for those whose
   * key is held; returns the requests whose key holder finished in between (try again).
   */
  private List<Integer> insertRound(
      List<JobRequest> requests, List<Integer> pending, Enqueued[] results) {
    List<JobRequest> batch = pending.stream().map(requests::get).toList();
    List<Job> inserted = repository.enqueueMany(batch, notifier == null);

    // Identities follow input order (the INSERT selects ORDER BY ordinality), so keyless rows
    // match keyless requests in order, and keyed rows match the first request with their key.
    ArrayDeque<Job> keyless = new ArrayDeque<>();
    Map<String, Job> byKey = new HashMap<>();
    for (Job job : inserted) {
      if (job.uniqueKey() == null) {
        keyless.add(job);
      } else {
        byKey.put(job.uniqueKey(), job);
      }
    }
    Map<String, List<Integer>> conflicted = new LinkedHashMap<>();
    for (int index : pending) {
      String key = requests.get(index).uniqueKey();
      if (key == null) {
        results[index] = new Enqueued(keyless.removeFirst(), false);
      } else if (byKey.containsKey(key)) {
        results[index] = new Enqueued(byKey.remove(key), false);
      } else {
        conflicted.computeIfAbsent(key, k -> new ArrayList<>()).add(index);
      }
    }
    if (conflicted.isEmpty()) {
      return List.of();
    }
    for (Job holder : repository.findUnfinishedByKeys(conflicted.keySet())) {
      for (int index : conflicted.remove(holder.uniqueKey())) {
        results[index] = new Enqueued(holder, true);
      }
    }
    // Whatever is left lost its holder between the insert and the look-up: the key is free.
    return conflicted.values().stream().flatMap(List::stream).sorted().toList();
  }

  private void countAfterCommit(List<JobRequest> requests) {
    if (requests.isEmpty()) {
      return;
    }
    Map<String, Integer> perQueue = new HashMap<>();
    requests.forEach(r -> perQueue.merge(r.queue(), 1, Integer::sum));
    Runnable count = () -> perQueue.forEach(metrics::enqueued);
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCommit() {
              count.run();
            }
          });
    } else {
      count.run();
    }
  }

  /** The job with this id. */
  public Optional<Job> find(long id) {
    return repository.findById(id);
  }

  /** The latest job enqueued with this unique key, finished or not. */
  public Optional<Job> findByUniqueKey(String uniqueKey) {
    return repository.findByUniqueKey(uniqueKey);
  }

  /** Every failed attempt's error, oldest first. */
  public List<JobError> errors(long id) {
    return repository.findErrors(id);
  }

  /**
   * Cancels a job: one that has not started is cancelled at once and never runs; a running one is
   * asked to stop (its handler sees {@link JobContext#isCancellationRequested()} within moments,
   * and the job ends cancelled if the handler stops early or fails).
   */
  public CancelResult cancel(long id) {
    Optional<JobState> after = repository.cancel(id);
    if (after.isPresent()) {
      return after.get() == JobState.CANCELLED
          ? CancelResult.CANCELLED
          : CancelResult.CANCEL_REQUESTED;
    }
    return repository.findById(id).isPresent()
        ? CancelResult.ALREADY_FINISHED
        : CancelResult.NOT_FOUND;
  }

  /**
   * Gives a dead (discarded) or cancelled job another run now, keeping its errors; if it has no
   * attempt left it gets one more.
   */
  public RetryResult retry(long id) {
    try {
      if (repository.retryFinished(id).isPresent()) {
        return RetryResult.RETRIED;
      }
    } catch (DuplicateKeyException e) {
      return RetryResult.KEY_TAKEN;
    }
    return repository.findById(id).isPresent() ? RetryResult.NOT_RETRYABLE : RetryResult.NOT_FOUND;
  }

  /**
   * Deletes a job that is not running (a running job is cancelled first); its errors go with it.
   *
   * @return false when the job is running or does not exist
   */
  public boolean delete(long id) {
    return operations.deleteJob(id);
  }

  /**
   * Gives every dead (discarded) job of {@code queue} another run now, oldest first, in
   * transactions of at most {@code batchSize} jobs each, so that retrying a large dead set never
   * holds many row locks at once. Call it outside a transaction: inside one, every batch joins it.
   * Jobs whose unique key an unfinished job holds now stay dead. Jobs that die while it runs, after
   * it passed their id, are not retried.
   *
   * @param batchSize jobs per transaction, 1 to 10,000
   * @return how many jobs were retried
   */
  public long retryDead(String queue, int batchSize) {
    if (batchSize < 1 || batchSize > 10_000) {
      throw new IllegalArgumentException("batchSize must be between 1 and 10000");
    }
    long retried = 0;
    long after = 0;
    while (true) {
      OperationsRepository.RetryBatch batch = operations.retryDeadBatch(queue, after, batchSize);
      retried += batch.retried();
      if (batch.lastId().isEmpty()) {
        return retried;
      }
      after = batch.lastId().getAsLong();
    }
  }

  /**
   * Enqueues a recurring schedule's job now, outside its cron (its next occurrence stays as it
   * was), and records it as the schedule's last run.
   *
   * @return the new job's id; empty when there is no such schedule
   */
  public OptionalLong runScheduleNow(String schedule) {
    return operations.runScheduleNow(schedule);
  }

  /**
   * Pauses a recurring schedule: it enqueues nothing until resumed; on resume its missed policy
   * applies as after downtime. Survives restarts (stored with the schedule).
   *
   * @return false when there is no such schedule
   */
  public boolean pauseSchedule(String schedule) {
    return operations.pauseSchedule(schedule, true);
  }

  /** Resumes a paused schedule; false when there is no such schedule. */
  public boolean resumeSchedule(String schedule) {
    return operations.pauseSchedule(schedule, false);
  }

  /**
   * Pauses a queue until {@link #resume(String)}: no worker claims from it from its next claim on
   * (at once where a claim is in flight, within a poll interval everywhere); running jobs finish.
   * Survives restarts: the pause is stored in the database.
   */
  public void pause(String queue) {
    repository.pauseQueue(queue, null);
  }

  /** Pauses a queue until {@code until} (e.g. an upstream's FLOOD_WAIT), or until resumed. */
  public void pauseUntil(String queue, Instant until) {
    repository.pauseQueue(queue, until);
  }

  /** Lifts a pause and wakes the queue's workers at once; false if the queue was not paused. */
  public boolean resume(String queue) {
    return repository.resumeQueue(queue);
  }

  /**
   * Sets a queue's cluster-wide limits ({@link QueueLimits#NONE} clears them), keeping any pause.
   * Workers learn of it at once through NOTIFY, and within a second by polling.
   */
  public void setLimits(String queue, QueueLimits limits) {
    repository.setLimits(queue, limits);
  }

  /** Every queue that has a pause or limits. */
  public List<QueueControl> controls() {
    return repository.findControls();
  }

  /** Every registered recurring schedule, with its next run, last run and last outcome. */
  public List<ScheduleStatus> schedules() {
    return repository.findSchedules();
  }

  /** Job counts per queue and state. A full scan: for operators, not for hot paths. */
  public List<QueueCount> counts() {
    return repository.countByQueueAndState();
  }

  /**
   * How many available jobs of the same queue would be claimed before this one; empty if the job is
   * not waiting (running, finished or missing).
   */
  public OptionalLong jobsAhead(long id) {
    return repository.countAhead(id, Long.MAX_VALUE);
  }

  /**
   * Like {@link #jobsAhead(long)}, but counts at most {@code max}: the cost of an exact count grows
   * with the backlog (one index entry per waiting job), this one stops at {@code max}. A result of
   * {@code max} means "{@code max} or more". For hot paths, such as answering every enqueue.
   */
  public OptionalLong jobsAhead(long id, long max) {
    if (max < 0) {
      throw new IllegalArgumentException("max must not be negative");
    }
    return repository.countAhead(id, max);
  }

  /**
   * One page of jobs in a state, newest first.
   *
   * @param queue only this queue, or every queue when {@code null}
   * @param beforeId the smallest id of the previous page ({@link Long#MAX_VALUE} for the first)
   * @param limit page size, 1 to 1000
   */
  public List<Job> list(JobState state, @Nullable String queue, long beforeId, int limit) {
    if (limit < 1 || limit > 1000) {
      throw new IllegalArgumentException("limit must be between 1 and 1000");
    }
    return repository.listByState(state, queue, beforeId, limit);
  }
}
