package dev.conveyor.queue.runtime;

import dev.conveyor.queue.ExponentialBackoff;
import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobHandler;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobTracing;
import dev.conveyor.queue.QueueControl;
import dev.conveyor.queue.QueueMetrics;
import dev.conveyor.queue.RetryPolicy;
import dev.conveyor.queue.Schedule;
import dev.conveyor.queue.jdbc.JobRepository;
import dev.conveyor.queue.jdbc.OperationsRepository;
import dev.conveyor.queue.maintenance.JobPruner;
import dev.conveyor.queue.maintenance.LeaseRescuer;
import dev.conveyor.queue.maintenance.PlannerStatistics;
import dev.conveyor.queue.maintenance.RecurringScheduler;
import dev.conveyor.queue.notify.PgWakeupListener;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs jobs: claims them from its queues, runs each on a virtual thread with the {@link JobHandler}
 * of its kind, keeps leases alive, records outcomes, and (unless switched off) rescues expired
 * leases and prunes finished jobs.
 *
 * <pre>{@code
 * WorkerRuntime runtime = WorkerRuntime.builder(dataSource)
 *     .config(WorkerConfig.defaults().withQueues(Map.of("default", 16)))
 *     .handler(new SendEmailHandler())
 *     .build();
 * runtime.start();
 * ...
 * runtime.stop(); // graceful: finish, then release what is left
 * }</pre>
 *
 * <p><b>Guarantees.</b> A job is run by one attempt at a time: a claim takes rows with {@code FOR
 * UPDATE SKIP LOCKED} and gives each a new lease token, and every later write of that attempt is
 * fenced on it. A job runs again only if its worker died or lost its lease (rescue), the worker
 * stopped before it finished (release), or the handler failed (retry).
 *
 * <p><b>Claim ahead.</b> Each queue keeps, beyond its running jobs, a small buffer of claimed jobs
 * (sized by how fast its jobs start, at most {@link WorkerConfig#claimAhead()}) that its slots take
 * as they free up; buffered jobs hold leases like running ones (see {@code QueueFetcher}).
 *
 * <p><b>Shutdown</b> ({@link #stop()}) has two phases: stop claiming, hand the buffered jobs back
 * at once, and wait up to the shutdown timeout for running jobs; then release those still running,
 * so that another worker takes them at once, and interrupt their handlers, whose late writes the
 * fence refuses.
 *
 * <p>Thread-safe. {@code start} and {@code stop} may each be called once.
 */
public final class WorkerRuntime implements AutoCloseable {

  /** The queue schema generation this code reads and writes (see V001 in queue-migrations). */
  public static final long SCHEMA_VERSION = 5;

  private static final Logger log = LoggerFactory.getLogger(WorkerRuntime.class);

  private enum Phase {
    NEW,
    RUNNING,
    STOPPING,
    STOPPED
  }

  private final JobRepository repository;
  private final WorkerConfig config;
  private final QueueMetrics metrics;
  private final Map<String, QueueFetcher> fetchers = new LinkedHashMap<>();
  private final Map<Long, RunningJob> held = new ConcurrentHashMap<>();
  private final AtomicInteger handlersRunning = new AtomicInteger();
  private final ReentrantLock idleLock = new ReentrantLock();
  private final Condition idle = idleLock.newCondition();

  /**
   * Held by each batched write of this worker's own running jobs (heartbeat chunk, completion
   * batch, release), so that they never run beside each other: they lock overlapping rows, and
   * although each binds its ids in one order, a plan that joins them otherwise (a hash join over a
   * large batch) would lock in another, and a deadlock costs a second of waiting and a retry.
   */
  private final ReentrantLock batchWrites = new ReentrantLock();

  private final Completer completer;
  private final LeaseKeeper leaseKeeper;
  private final JobExecutor executor;
  private final TransactionTemplate transactions;
  private final TransactionTemplate outsideTransactions;
  private final @Nullable PgWakeupListener listener;
  private final @Nullable LeaseRescuer rescuer;
  private final @Nullable JobPruner pruner;
  private final @Nullable PlannerStatistics statistics;
  private final @Nullable RecurringScheduler scheduler;
  private final RuntimeRegistry registry;
  private final ScheduledExecutorService timers;
  private final List<Thread> loops = new ArrayList<>();
  private final Set<String> kinds;

  /** Queues with cluster-wide limits: claimed through the serialized, limited claim. */
  private volatile Set<String> limitedQueues = Set.of();

  /** Queues with limits or paused now: they do not claim ahead, and keep no buffer. */
  private volatile Set<String> controlledQueues = Set.of();

  private volatile Phase phase = Phase.NEW;
  private volatile boolean abandoned;

  private WorkerRuntime(Builder b) {
    this.config = b.config;
    this.metrics = b.metrics;
    this.repository = new JobRepository(b.dataSource, b.clock);
    this.transactions =
        new TransactionTemplate(
            b.transactionManager != null
                ? b.transactionManager
                : new DataSourceTransactionManager(b.dataSource));
    // For a handler's progress and heartbeats: written outside its transaction (see RunningJob).
    this.outsideTransactions = new TransactionTemplate(transactions.getTransactionManager());
    this.outsideTransactions.setPropagationBehavior(
        TransactionDefinition.PROPAGATION_NOT_SUPPORTED);
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "conveyor-heartbeat");
              t.setDaemon(true);
              return t;
            });
    this.completer =
        new Completer(
            repository,
            config.maxCompletionBatch(),
            this::completionRecorded,
            this::completionDropped,
            () -> fetchers.values().forEach(QueueFetcher::roomMaybe),
            batchWrites);
    this.leaseKeeper =
        new LeaseKeeper(
            repository,
            config.leaseDuration(),
            job -> held.get(job.job().id()) == job,
            batchWrites);
    Map<String, JobHandler> handlers = new HashMap<>();
    for (JobHandler handler : b.handlers) {
      if (handlers.put(handler.kind(), handler) != null) {
        throw new IllegalArgumentException("two handlers for job kind " + handler.kind());
      }
    }
    this.kinds = Set.copyOf(handlers.keySet());
    this.executor =
        new JobExecutor(
            Map.copyOf(handlers),
            b.retryPolicy,
            repository,
            metrics,
            completer,
            () -> abandoned,
            this::outcomeRecorded,
            b.tracing);
    config
        .queues()
        .forEach(
            (queue, concurrency) ->
                fetchers.put(
                    queue, new QueueFetcher(queue, concurrency, this::claim, config, new Slots())));
    this.listener =
        b.listenSource == null
            ? null
            : new PgWakeupListener(b.listenSource, new Wakeups(), metrics);
    this.rescuer =
        b.rescuerConfig == null
            ? null
            : new LeaseRescuer(repository, metrics, b.rescuerConfig, this::wake);
    this.scheduler =
        b.schedules.isEmpty()
            ? null
            : new RecurringScheduler(
                b.dataSource,
                new JobQueue(b.dataSource, metrics, b.clock, null, b.tracing),
                b.schedules,
                RecurringScheduler.DEFAULT_TICK);
    this.registry =
        new RuntimeRegistry(
            new OperationsRepository(b.dataSource, b.clock),
            config.workerId(),
            config.queues(),
            handlersRunning::get,
            RuntimeRegistry.DEFAULT_HEARTBEAT);
    this.pruner =
        b.prunerConfig == null
            ? null
            : new JobPruner(
                repository, b.prunerConfig, b.clock == null ? InstantSource.system() : b.clock);
    this.statistics =
        b.statisticsInterval == null
            ? null
            : new PlannerStatistics(repository, b.statisticsInterval);
  }

  /** Starts building a runtime on {@code dataSource} (the pool its SQL runs on). */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /**
   * Checks the schema, then starts claiming. Fails with a clear message when the database's queue
   * schema is missing or of another generation than this code.
   */
  public synchronized void start() {
    if (phase != Phase.NEW) {
      throw new IllegalStateException("a runtime starts once; it is " + phase);
    }
    checkSchema();
    refreshControls();
    // At zero until the depth sampler (or a job) says otherwise: an idle worker exports its queues'
    // series, so an alert can tell an empty queue from a worker that is gone, and rate() sees the
    // first job.
    metrics.registerWorker(config.queues(), kinds);
    phase = Phase.RUNNING;
    loops.add(Thread.ofPlatform().daemon().name("conveyor-completer").start(completer));
    for (QueueFetcher fetcher : fetchers.values()) {
      fetcher.startSlots();
      loops.add(
          Thread.ofPlatform().daemon().name("conveyor-fetch-" + fetcher.queue()).start(fetcher));
    }
    long beat = config.heartbeatInterval().toMillis();
    timers.scheduleWithFixedDelay(this::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
    timers.scheduleWithFixedDelay(this::refreshControls, 1, 1, TimeUnit.SECONDS);
    if (listener != null) {
      listener.start();
    }
    if (rescuer != null) {
      rescuer.start();
    }
    if (pruner != null) {
      pruner.start();
    }
    if (statistics != null) {
      statistics.start();
    }
    if (scheduler != null) {
      scheduler.start();
    }
    registry.start();
    log.info("worker {} started on queues {}", config.workerId(), config.queues());
  }

  /**
   * Renews every held lease; on trouble (a lease lost, or a chunk whose renewal failed), buffered
   * jobs whose lease is not confirmed are taken out of the buffers and handed back: they never
   * start.
   */
  private void heartbeat() {
    if (leaseKeeper.beat(held.values())) {
      evictBuffered(
          job -> job.leaseLost() || job.leaseUnconfirmed(),
          "buffered jobs whose lease could not be renewed");
    }
  }

  private void evictBuffered(java.util.function.Predicate<RunningJob> mustNotStart, String why) {
    List<RunningJob> evicted = new ArrayList<>();
    for (QueueFetcher fetcher : fetchers.values()) {
      evicted.addAll(fetcher.evict(mustNotStart));
    }
    if (!evicted.isEmpty()) {
      handBack(evicted, why);
    }
  }

  private void checkSchema() {
    OptionalLong version = repository.schemaVersion();
    if (version.isEmpty()) {
      throw new IllegalStateException(
          "the conveyor queue schema is missing from this database: apply the migrations"
              + " (QueueMigrations.migrate, in queue-migrations) before starting a worker");
    }
    if (version.getAsLong() != SCHEMA_VERSION) {
      throw new IllegalStateException(
          "the database holds conveyor queue schema version "
              + version.getAsLong()
              + " but this worker knows version "
              + SCHEMA_VERSION
              + (version.getAsLong() > SCHEMA_VERSION
                  ? ": deploy a newer worker"
                  : ": apply the migrations first"));
    }
  }

  /** Tells the queue's fetcher that jobs may be waiting (any other name is ignored). */
  public void wake(String queue) {
    QueueFetcher fetcher = fetchers.get(queue);
    if (fetcher != null) {
      fetcher.wake();
    }
  }

  private List<Job> claim(String queue, int demand) {
    return limitedQueues.contains(queue)
        ? repository.claimLimited(queue, demand, config.workerId(), config.leaseDuration())
        : repository.claimAvailable(queue, demand, config.workerId(), config.leaseDuration());
  }

  /**
   * Learns which queues have limits or are paused (a tiny table, read every second and whenever
   * NOTIFY says it changed). A stale view is safe: the plain claim refuses a queue that has a
   * control row. Such queues do not claim ahead, and what they had buffered is handed back, so that
   * a pause or a limit binds the jobs that have not started.
   */
  private void refreshControls() {
    try {
      Set<String> limited = new HashSet<>();
      Set<String> controlled = new HashSet<>();
      for (QueueControl control : repository.findControls()) {
        if (control.limited()) {
          limited.add(control.queue());
        }
        if (control.limited() || control.paused()) {
          controlled.add(control.queue());
        }
      }
      limitedQueues = Set.copyOf(limited);
      // Only a queue that just became paused or limited can have a buffer to hand back: one
      // that already was claims only for free slots, whose jobs pass through the buffer at once.
      Set<String> newly = new HashSet<>(controlled);
      newly.removeAll(controlledQueues);
      controlledQueues = Set.copyOf(controlled);
      if (!newly.isEmpty() && phase == Phase.RUNNING) {
        evictBuffered(
            job -> newly.contains(job.job().queue()), "buffered jobs of a paused or limited queue");
      }
    } catch (RuntimeException | Error e) { // an Error would cancel the scheduled refresh for good
      log.debug("could not read queue controls; keeping the last view", e);
    }
  }

  private void wakeAll() {
    fetchers.values().forEach(QueueFetcher::wake);
  }

  /**
   * Hands claimed jobs that will not run here back (release_many.sql, one statement): buffered jobs
   * at shutdown, jobs claimed while stopping, jobs whose lease is not confirmed. Their attempt is
   * given back. If the statement fails, the rescuer takes them after their lease.
   */
  private void handBack(List<RunningJob> jobs, String which) {
    if (jobs.isEmpty()) {
      return;
    }
    Long[] ids = new Long[jobs.size()];
    UUID[] tokens = new UUID[jobs.size()];
    for (int i = 0; i < ids.length; i++) {
      RunningJob job = jobs.get(i);
      held.remove(job.job().id(), job);
      ids[i] = job.job().id();
      tokens[i] = job.token();
    }
    release(ids, tokens, which);
  }

  /** Hands jobs back (release_many.sql); if that fails, the rescuer takes them after the lease. */
  private void release(Long[] ids, UUID[] tokens, String which) {
    try {
      List<Long> released;
      batchWrites.lock();
      try {
        released = repository.releaseMany(ids, tokens);
      } finally {
        batchWrites.unlock();
      }
      log.info("released {} {} for other workers", released.size(), which);
    } catch (RuntimeException e) {
      log.error(
          "could not release {} {}; they are rescued when their lease expires",
          ids.length,
          which,
          e);
    }
  }

  /** The runtime's side of its queues' slots (see QueueFetcher). */
  private final class Slots implements QueueFetcher.Host {
    @Override
    public RunningJob hold(Job job, long claimSentNanos) {
      RunningJob running =
          new RunningJob(
              job, claimSentNanos, repository, transactions, outsideTransactions, leaseKeeper);
      held.put(job.id(), running);
      if (job.startedAt() != null) {
        metrics.waited(job.queue(), Duration.between(job.runAt(), job.startedAt()));
      }
      return running;
    }

    @Override
    public void starting(RunningJob job) {
      handlersRunning.incrementAndGet();
    }

    @Override
    public void execute(RunningJob job) {
      try {
        executor.execute(job);
      } finally {
        if (handlersRunning.decrementAndGet() == 0) {
          signalIdle();
        }
      }
    }

    @Override
    public void handBack(List<RunningJob> jobs, String why) {
      WorkerRuntime.this.handBack(jobs, why);
    }

    @Override
    public boolean mayClaimAhead(String queue) {
      return !controlledQueues.contains(queue);
    }

    @Override
    public boolean completionsBehind() {
      return completer.backlog() >= config.maxCompletionBatch();
    }
  }

  private void completionRecorded(RunningJob job, boolean completed) {
    held.remove(job.job().id(), job);
    wakeIfLimited(job.job().queue());
    if (completed) {
      metrics.outcome("completed", job.job().queue(), job.job().kind());
    } else {
      log.warn("job {} lost its lease before its completion was recorded", job.job().id());
    }
  }

  /**
   * The database refused the completion for good: stop renewing the lease, so that the job, still
   * running in the database, is rescued once the lease runs out.
   */
  private void completionDropped(RunningJob job) {
    held.remove(job.job().id(), job);
    metrics.unrecorded(job.job().queue(), job.job().kind());
  }

  private void outcomeRecorded(RunningJob job, Optional<Duration> comesBackIn) {
    held.remove(job.job().id(), job);
    wakeIfLimited(job.job().queue());
    comesBackIn.ifPresent(
        delay -> {
          // A retry or snooze of our own: wake this queue when it comes due instead of waiting
          // for the next poll. Other workers find it by polling.
          if (phase == Phase.RUNNING) {
            timers.schedule(() -> wake(job.job().queue()), delay.toMillis(), TimeUnit.MILLISECONDS);
          }
        });
  }

  /** A limited queue at its cap may claim again once one of its jobs is recorded finished. */
  private void wakeIfLimited(String queue) {
    if (limitedQueues.contains(queue)) {
      wake(queue);
    }
  }

  private void signalIdle() {
    idleLock.lock();
    try {
      idle.signalAll();
    } finally {
      idleLock.unlock();
    }
  }

  /** Graceful stop with the configured shutdown timeout. */
  public void stop() {
    stop(config.shutdownTimeout());
  }

  /**
   * Stops claiming, waits up to {@code timeout} for running jobs, then releases the rest for other
   * workers and interrupts their handlers. Pending completions are written before it returns
   * (bounded by the same timeout, plus a few seconds).
   */
  public synchronized void stop(Duration timeout) {
    if (phase != Phase.RUNNING) {
      phase = Phase.STOPPED;
      fetchers.values().forEach(QueueFetcher::stop);
      timers.shutdownNow();
      return;
    }
    phase = Phase.STOPPING;
    // Buffered jobs go back at once, in one statement, their attempt not counted: another worker
    // starts them now instead of after their lease. A claim still in flight hands its jobs back
    // itself when it returns (QueueFetcher#accept).
    List<RunningJob> buffered = new ArrayList<>();
    for (QueueFetcher fetcher : fetchers.values()) {
      buffered.addAll(fetcher.stop());
    }
    handBack(buffered, "buffered jobs");
    log.info(
        "worker {} stopping: no new claims, waiting up to {} for {} running jobs",
        config.workerId(),
        timeout,
        handlersRunning.get());
    long deadline = System.nanoTime() + timeout.toNanos();
    awaitIdle(deadline);
    releaseUnfinished();
    // What is still running now was released: its writes are fenced off, so do not let them
    // retry through an outage either.
    abandoned = true;
    awaitIdle(System.nanoTime() + Duration.ofSeconds(2).toNanos());
    completer.drain();
    joinLoops(Duration.ofSeconds(5));
    completer.abandon();
    timers.shutdownNow();
    fetchers.values().forEach(QueueFetcher::interruptSlots);
    if (listener != null) {
      listener.stop();
    }
    if (rescuer != null) {
      rescuer.stop();
    }
    if (pruner != null) {
      pruner.stop();
    }
    if (statistics != null) {
      statistics.stop();
    }
    if (scheduler != null) {
      scheduler.stop();
    }
    registry.stop();
    phase = Phase.STOPPED;
    log.info("worker {} stopped", config.workerId());
  }

  private void awaitIdle(long deadlineNanos) {
    idleLock.lock();
    try {
      while (handlersRunning.get() > 0) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return;
        }
        idle.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      idleLock.unlock();
    }
  }

  private void releaseUnfinished() {
    List<RunningJob> unfinished = new ArrayList<>();
    for (RunningJob job : held.values()) {
      if (job.isHandlerRunning()) {
        unfinished.add(job);
      }
    }
    if (unfinished.isEmpty()) {
      return;
    }
    Long[] ids = new Long[unfinished.size()];
    UUID[] tokens = new UUID[unfinished.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = unfinished.get(i).job().id();
      tokens[i] = unfinished.get(i).token();
    }
    release(ids, tokens, "unfinished jobs");
    for (RunningJob job : unfinished) {
      job.markLeaseLost();
      job.interrupt();
    }
  }

  private void joinLoops(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : loops) {
      try {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          t.join(Duration.ofNanos(left));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  /** True between {@link #start()} and the beginning of {@link #stop()}. */
  public boolean isRunning() {
    return phase == Phase.RUNNING;
  }

  /** A point-in-time view for health checks and operators. */
  public Status status() {
    Map<String, Integer> running = new LinkedHashMap<>();
    boolean failing = false;
    for (QueueFetcher f : fetchers.values()) {
      running.put(f.queue(), f.running());
      failing |= f.failing();
    }
    return new Status(
        config.workerId(),
        phase.name().toLowerCase(java.util.Locale.ROOT),
        running,
        held.size(),
        completer.backlog(),
        listener == null ? null : listener.isConnected(),
        failing);
  }

  /**
   * @param workerId this worker's id
   * @param phase new, running, stopping or stopped
   * @param runningByQueue handlers running now, per queue
   * @param held jobs this worker holds a lease on (running, or finished and being recorded)
   * @param completionBacklog completions waiting to be written
   * @param listenerConnected whether the LISTEN connection is up; null without a listener
   * @param claimsFailing whether the last claim of some queue failed (database trouble)
   */
  public record Status(
      String workerId,
      String phase,
      Map<String, Integer> runningByQueue,
      int held,
      int completionBacklog,
      @Nullable Boolean listenerConnected,
      boolean claimsFailing) {}

  private final class Wakeups implements PgWakeupListener.Receiver {
    @Override
    public void wake(String queue) {
      QueueFetcher fetcher = fetchers.get(queue);
      if (fetcher != null) {
        fetcher.wakeAndClaim();
      }
    }

    @Override
    public void cancelRequested(long jobId) {
      RunningJob job = held.get(jobId);
      if (job != null) {
        job.requestCancellation();
      }
    }

    @Override
    public void controlChanged(String queue) {
      timers.execute(
          () -> {
            refreshControls();
            wake(queue);
          });
    }

    @Override
    public void wakeAll() {
      WorkerRuntime.this.wakeAll();
    }
  }

  /** Builds a {@link WorkerRuntime}. Only the data source and one handler are required. */
  public static final class Builder {
    private final DataSource dataSource;
    private WorkerConfig config = WorkerConfig.defaults();
    private final List<JobHandler> handlers = new ArrayList<>();
    private RetryPolicy retryPolicy = ExponentialBackoff.defaults();
    private QueueMetrics metrics = QueueMetrics.simple();
    private @Nullable PlatformTransactionManager transactionManager;
    private PgWakeupListener.@Nullable ConnectionSource listenSource;
    private LeaseRescuer.@Nullable Config rescuerConfig = LeaseRescuer.Config.defaults();
    private JobPruner.@Nullable Config prunerConfig = JobPruner.Config.defaults();
    private @Nullable Duration statisticsInterval = PlannerStatistics.DEFAULT_INTERVAL;
    private @Nullable InstantSource clock;
    private final List<Schedule> schedules = new ArrayList<>();
    private @Nullable JobTracing tracing;

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
      this.listenSource = dataSource::getConnection;
    }

    public Builder config(WorkerConfig config) {
      this.config = config;
      return this;
    }

    public Builder handler(JobHandler handler) {
      handlers.add(handler);
      return this;
    }

    public Builder handlers(Collection<? extends JobHandler> handlers) {
      this.handlers.addAll(handlers);
      return this;
    }

    /** Backoff for kinds whose handler has none; {@link ExponentialBackoff#defaults()}. */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = retryPolicy;
      return this;
    }

    public Builder metrics(QueueMetrics metrics) {
      this.metrics = metrics;
      return this;
    }

    /**
     * The transaction manager {@link dev.conveyor.queue.JobContext#completeWithin} runs in; it must
     * manage the same data source. Default: a {@link DataSourceTransactionManager}.
     */
    public Builder transactionManager(PlatformTransactionManager transactionManager) {
      this.transactionManager = transactionManager;
      return this;
    }

    /**
     * Where the LISTEN connection comes from. Default: borrowed from the data source for the
     * runtime's life. Pass a direct connection when the pool goes through a transaction pooler;
     * {@code null} turns LISTEN off (poll only).
     */
    public Builder listenConnections(PgWakeupListener.@Nullable ConnectionSource source) {
      this.listenSource = source;
      return this;
    }

    /** Rescuer settings; {@code null} runs no rescuer in this worker. */
    public Builder rescuer(LeaseRescuer.@Nullable Config config) {
      this.rescuerConfig = config;
      return this;
    }

    /** Pruner settings; {@code null} runs no pruner in this worker. */
    public Builder pruner(JobPruner.@Nullable Config config) {
      this.prunerConfig = config;
      return this;
    }

    /**
     * How often this worker checks whether the queue table has outgrown its planner statistics, and
     * ANALYZEs it if so (see {@link PlannerStatistics}); default {@link
     * PlannerStatistics#DEFAULT_INTERVAL}; {@code null} never checks. A zero or negative interval
     * fails {@link #build()}.
     */
    public Builder plannerStatistics(@Nullable Duration interval) {
      this.statisticsInterval = interval;
      return this;
    }

    /**
     * A recurring job this worker fires (with every other worker that declares it: each occurrence
     * is enqueued once).
     */
    public Builder schedule(Schedule schedule) {
      schedules.add(schedule);
      return this;
    }

    /** The queue's clock (tests); default: the database's {@code now()}. */
    public Builder clock(@Nullable InstantSource clock) {
      this.clock = clock;
      return this;
    }

    /**
     * The tracing hook ({@link JobTracing}): each attempt continues the trace stored with its job.
     * Default {@code null}: nothing traced, nothing spent per job.
     */
    public Builder tracing(@Nullable JobTracing tracing) {
      this.tracing = tracing;
      return this;
    }

    public WorkerRuntime build() {
      if (handlers.isEmpty() && schedules.isEmpty()) {
        throw new IllegalStateException("a worker runtime needs at least one job handler");
      }
      return new WorkerRuntime(this);
    }
  }
}
