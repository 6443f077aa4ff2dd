package dev.conveyor.queue;

import dev.conveyor.queue.runtime.WorkerConfig;
import dev.conveyor.queue.runtime.WorkerRuntime;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The queue for a plain Java application, without Spring Boot: a {@link JobQueue} to enqueue with,
 * transactions that put an application's rows and its jobs in one commit, and, when handlers are
 * given, a {@link WorkerRuntime} that runs them. All from one {@link DataSource}.
 *
 * <pre>{@code
 * Conveyor conveyor = Conveyor.builder(dataSource)
 *     .queue("emails", 4)                     // run up to 4 jobs of the emails queue at once
 *     .handler(JobHandler.of("email.welcome", ctx -> mailer.send(ctx.payload())))
 *     .build();
 * conveyor.start();                          // checks the schema, then claims
 * conveyor.inTransaction(tx -> {
 *   tx.jdbc().sql("INSERT INTO account (email) VALUES (:email)").param("email", email).update();
 *   tx.enqueue(JobRequest.of("email.welcome", json).withQueue("emails"));
 * });
 * conveyor.close();                          // graceful: waits for running jobs, releases the rest
 * }</pre>
 *
 * <p>It adds no behaviour of its own: it wires the same {@link JobQueue} and {@link WorkerRuntime}
 * that the Spring Boot starter wires, so everything they document holds. Without handlers (and
 * without schedules) it is a producer only, and {@link #start()} does nothing; several processes
 * may run workers on one database. The schema must exist first ({@code QueueMigrations.migrate} in
 * queue-migrations).
 *
 * <p>Thread-safe. Create one per data source and application, start it once, close it once.
 */
public final class Conveyor implements AutoCloseable {

  private final DataSource dataSource;
  private final JobQueue queue;
  private final TransactionTemplate transactions;
  private final @Nullable WorkerRuntime worker;

  private Conveyor(Builder builder) {
    this.dataSource = builder.dataSource;
    DataSourceTransactionManager transactionManager =
        new DataSourceTransactionManager(builder.dataSource);
    this.transactions = new TransactionTemplate(transactionManager);
    this.queue = new JobQueue(builder.dataSource, builder.metrics, null, null, builder.tracing);
    if (!builder.handlers.isEmpty() || !builder.schedules.isEmpty()) {
      WorkerConfig config = builder.config;
      if (!builder.queues.isEmpty()) {
        config = config.withQueues(builder.queues);
      }
      WorkerRuntime.Builder runtime =
          WorkerRuntime.builder(builder.dataSource)
              .config(config)
              .metrics(builder.metrics)
              .tracing(builder.tracing)
              .transactionManager(transactionManager)
              .handlers(builder.handlers);
      builder.schedules.forEach(runtime::schedule);
      this.worker = builder.customizer.apply(runtime).build();
    } else {
      this.worker = null;
    }
  }

  /**
   * Starts building on {@code dataSource}, which must reach the database holding the {@code
   * conveyor} schema (a pool: the worker holds a few connections, plus one for LISTEN).
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /** The enqueue and operator side: enqueue, find, cancel, retry, pause, limits, counts. */
  public JobQueue queue() {
    return queue;
  }

  /** The worker, or {@code null} when this instance was built without handlers or schedules. */
  public @Nullable WorkerRuntime worker() {
    return worker;
  }

  /**
   * Runs {@code work} in one database transaction and commits it when {@code work} returns; rolls
   * it back (and rethrows) when {@code work} throws, so that jobs enqueued through {@link
   * Transaction#enqueue} never existed, and no worker was woken.
   *
   * @return what {@code work} returned
   */
  public <T extends @Nullable Object> T computeInTransaction(Function<Transaction, T> work) {
    Transaction tx = new Transaction(dataSource, queue);
    return transactions.execute(status -> work.apply(tx));
  }

  /** {@link #computeInTransaction} for work without a result. */
  public void inTransaction(Consumer<Transaction> work) {
    Transaction tx = new Transaction(dataSource, queue);
    transactions.executeWithoutResult(status -> work.accept(tx));
  }

  /**
   * Starts the worker, if there is one: checks the schema, then claims jobs.
   *
   * @throws IllegalStateException if the database's queue schema is missing or of another
   *     generation
   */
  public void start() {
    if (worker != null) {
      worker.start();
    }
  }

  /**
   * Stops the worker gracefully, if there is one: stops claiming, waits up to the shutdown timeout
   * for running jobs, then releases the rest for other workers. The data source stays open: it is
   * the application's.
   */
  @Override
  public void close() {
    if (worker != null) {
      worker.stop();
    }
  }

  /**
   * One transaction of {@link #inTransaction}: everything done through it (or through any other
   * Spring JDBC code on the same data source in this thread) commits or rolls back together.
   */
  public static final class Transaction {
    private final DataSource dataSource;
    private final JobQueue queue;
    private final JdbcClient jdbc;

    private Transaction(DataSource dataSource, JobQueue queue) {
      this.dataSource = dataSource;
      this.queue = queue;
      this.jdbc = JdbcClient.create(dataSource);
    }

    /** Runs SQL in this transaction, with {@code :named} parameters. */
    public JdbcClient jdbc() {
      return jdbc;
    }

    /**
     * This transaction's connection, for plain JDBC code. Do not close, commit or roll it back: the
     * transaction does.
     */
    public Connection connection() {
      return DataSourceUtils.getConnection(dataSource);
    }

    /** Enqueues a job in this transaction; see {@link JobQueue#enqueue}. */
    public Enqueued enqueue(JobRequest request) {
      return queue.enqueue(request);
    }
  }

  /** Builds a {@link Conveyor}. Only the data source is required. */
  public static final class Builder {
    private final DataSource dataSource;
    private final Map<String, Integer> queues = new LinkedHashMap<>();
    private final List<JobHandler> handlers = new ArrayList<>();
    private final List<Schedule> schedules = new ArrayList<>();
    private WorkerConfig config = WorkerConfig.defaults();
    private QueueMetrics metrics = QueueMetrics.simple();
    private UnaryOperator<WorkerRuntime.Builder> customizer = UnaryOperator.identity();
    private @Nullable JobTracing tracing;

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * A queue this worker runs, with how many of its jobs run at once. Naming any queue replaces
     * the default of running the {@code default} queue {@value WorkerConfig#DEFAULT_CONCURRENCY} at
     * once.
     */
    public Builder queue(String name, int concurrency) {
      queues.put(name, concurrency);
      return this;
    }

    /** A handler this worker runs; its kind must be unique. */
    public Builder handler(JobHandler handler) {
      handlers.add(handler);
      return this;
    }

    /** A recurring job this worker fires; see {@link Schedule}. */
    public Builder schedule(Schedule schedule) {
      schedules.add(schedule);
      return this;
    }

    /**
     * The worker's settings (lease, polling, shutdown timeout, id); default {@link
     * WorkerConfig#defaults()}. Queues named with {@link #queue} replace its queues.
     */
    public Builder config(WorkerConfig config) {
      this.config = config;
      return this;
    }

    /** Where the queue's meters go; default {@link QueueMetrics#simple()}. */
    public Builder metrics(QueueMetrics metrics) {
      this.metrics = metrics;
      return this;
    }

    /**
     * The tracing hook for both sides: enqueues store the current trace with each job, and the
     * worker continues it ({@link JobTracing}). Default {@code null}: nothing traced.
     */
    public Builder tracing(@Nullable JobTracing tracing) {
      this.tracing = tracing;
      return this;
    }

    /**
     * Anything else of the worker (retry policy, rescuer, pruner, LISTEN connection), applied last
     * to its {@link WorkerRuntime.Builder}.
     */
    public Builder worker(UnaryOperator<WorkerRuntime.Builder> customizer) {
      this.customizer = customizer;
      return this;
    }

    /**
     * The queue client and, with handlers or schedules, its worker (not started).
     *
     * @throws IllegalArgumentException if the worker's settings are invalid (see {@link
     *     WorkerConfig})
     */
    public Conveyor build() {
      return new Conveyor(this);
    }
  }
}
