package dev.conveyor.queue.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.conveyor.queue.ExponentialBackoff;
import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.JobHandler;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobRequest;
import dev.conveyor.queue.JobState;
import dev.conveyor.queue.QueueMetrics;
import dev.conveyor.queue.maintenance.JobPruner;
import dev.conveyor.queue.maintenance.LeaseRescuer;
import dev.conveyor.queue.maintenance.PlannerStatistics;
import dev.conveyor.queue.maintenance.QueueDepthSampler;
import dev.conveyor.queue.notify.PgWakeupListener.ConnectionSource;
import dev.conveyor.queue.runtime.WorkerConfig;
import dev.conveyor.queue.runtime.WorkerRuntime;
import dev.conveyor.testsupport.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.PlatformTransactionManager;

class QueueAutoConfigurationTests {

  private static final TestDatabase db = TestDatabase.get();
  private static final String KIND = "autoconf.record";
  private static final String QUEUE = "autoconf";

  /** A fast-reacting worker on its own queue, so no other test's jobs reach it. */
  private static final String[] FAST_WORKER = {
    "conveyor.worker.id=autoconf-test",
    "conveyor.worker.queues." + QUEUE + "=2",
    "conveyor.worker.fetch.poll-interval=200ms",
    "conveyor.worker.shutdown.timeout=5s"
  };

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  DataSourceAutoConfiguration.class,
                  DataSourceTransactionManagerAutoConfiguration.class,
                  QueueAutoConfiguration.class))
          .withPropertyValues(
              "spring.datasource.url=" + db.url(),
              "spring.datasource.username=" + db.user(),
              "spring.datasource.password=" + db.password(),
              "spring.datasource.hikari.maximum-pool-size=6");

  private final RecordingHandler handler = new RecordingHandler();

  private ApplicationContextRunner withHandler() {
    return runner.withBean("recordingHandler", JobHandler.class, () -> handler);
  }

  @BeforeEach
  void emptyQueue() {
    db.truncateQueue();
  }

  @Nested
  class Defaults {

    @Test
    void unsetPropertiesFallBackToTheCoreDefaults() {
      runner.run(
          context -> {
            QueueProperties queue = context.getBean(QueueProperties.class);
            WorkerProperties worker = context.getBean(WorkerProperties.class);
            WorkerConfig config = worker.toWorkerConfig(queue);

            assertThat(config).isEqualTo(WorkerConfig.defaults().withWorkerId(config.workerId()));
            assertThat(config.workerId()).isEqualTo(WorkerConfig.defaultWorkerId());
            assertThat(queue.retry().toBackoff()).isEqualTo(ExponentialBackoff.defaults());
            assertThat(queue.rescuer().toConfig()).isEqualTo(LeaseRescuer.Config.defaults());
            assertThat(queue.pruner().toConfig()).isEqualTo(JobPruner.Config.defaults());
            assertThat(queue.statistics().toInterval())
                .isEqualTo(PlannerStatistics.DEFAULT_INTERVAL);
            assertThat(queue.metrics().depthIntervalOrDefault())
                .isEqualTo(QueueDepthSampler.DEFAULT_INTERVAL);
            assertThat(queue.metrics().toSamplerConfig())
                .isEqualTo(QueueDepthSampler.Config.defaults());
            assertThat(queue.listenUrl()).isNull();
            assertThat(queue.listenEnabled()).isTrue();
            assertThat(worker.enabled()).isTrue();
          });
    }
  }

  @Nested
  class Tracing {

    private ApplicationContextRunner withTracer() {
      return runner
          .withBean(io.micrometer.tracing.Tracer.class, () -> io.micrometer.tracing.Tracer.NOOP)
          .withBean(
              io.micrometer.tracing.propagation.Propagator.class,
              () -> io.micrometer.tracing.propagation.Propagator.NOOP);
    }

    @Test
    void aTracerAndPropagatorGiveTheQueueTheMicrometerHook() {
      withTracer()
          .run(
              context ->
                  assertThat(context)
                      .getBean(dev.conveyor.queue.JobTracing.class)
                      .isInstanceOf(MicrometerJobTracing.class));
    }

    @Test
    void tracingExportSwitchedOffOrNoTracerMeansNoHook() {
      withTracer()
          .withPropertyValues("management.tracing.export.enabled=false")
          .run(context -> assertThat(context).doesNotHaveBean(dev.conveyor.queue.JobTracing.class));
      runner.run(
          context -> assertThat(context).doesNotHaveBean(dev.conveyor.queue.JobTracing.class));
    }
  }

  @Nested
  class Binding {

    @Test
    void theStatisticsCheckIsSwitchedOffOrRefusesANonPositiveInterval() {
      runner
          .withPropertyValues("conveyor.queue.statistics.enabled=false")
          .run(
              context ->
                  assertThat(context.getBean(QueueProperties.class).statistics().toInterval())
                      .isNull());
      withHandler()
          .withPropertyValues(FAST_WORKER)
          .withPropertyValues("conveyor.queue.statistics.interval=0s")
          .run(
              context ->
                  assertThat(context)
                      .hasFailed()
                      .getFailure()
                      .hasStackTraceContaining(
                          "conveyor.queue.statistics.interval must be positive, not PT0S"));
    }

    @Test
    void kebabCasePropertiesBindToTheCoreConfigs() {
      runner
          .withPropertyValues(
              "conveyor.worker.id=worker-7",
              "conveyor.worker.queues.reports=4",
              "conveyor.worker.queues.callbacks=16",
              "conveyor.worker.fetch.poll-interval=250ms",
              "conveyor.worker.fetch.cooldown=5ms",
              "conveyor.worker.fetch.max-batch=50",
              "conveyor.worker.fetch.claim-ahead=40",
              "conveyor.worker.fetch.completion-batch=300",
              "conveyor.worker.shutdown.timeout=12s",
              "conveyor.queue.lease.duration=45s",
              "conveyor.queue.lease.heartbeat=5s",
              "conveyor.queue.retry.base=2s",
              "conveyor.queue.retry.cap=10m",
              "conveyor.queue.retry.jitter=0.1",
              "conveyor.queue.rescuer.enabled=false",
              "conveyor.queue.pruner.interval=5m",
              "conveyor.queue.pruner.completed-retention=2h",
              "conveyor.queue.pruner.failed-retention=3d",
              "conveyor.queue.pruner.batch-size=100",
              "conveyor.queue.statistics.interval=30s",
              "conveyor.queue.metrics.depth-interval=30s",
              "conveyor.queue.metrics.depth-exact-limit=250",
              "conveyor.queue.listen-url=jdbc:postgresql://direct:5432/app",
              "conveyor.queue.listen-enabled=false")
          .run(
              context -> {
                QueueProperties queue = context.getBean(QueueProperties.class);
                WorkerConfig config = context.getBean(WorkerProperties.class).toWorkerConfig(queue);

                assertThat(config.workerId()).isEqualTo("worker-7");
                assertThat(config.queues()).isEqualTo(Map.of("reports", 4, "callbacks", 16));
                assertThat(config.pollInterval()).isEqualTo(Duration.ofMillis(250));
                assertThat(config.fetchCooldown()).isEqualTo(Duration.ofMillis(5));
                assertThat(config.maxClaimBatch()).isEqualTo(50);
                assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(12));
                assertThat(config.leaseDuration()).isEqualTo(Duration.ofSeconds(45));
                assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
                assertThat(config.maxCompletionBatch()).isEqualTo(300);
                assertThat(config.claimAhead()).isEqualTo(40);
                assertThat(queue.retry().toBackoff())
                    .isEqualTo(
                        new ExponentialBackoff(Duration.ofSeconds(2), Duration.ofMinutes(10), 0.1));
                assertThat(queue.rescuer().toConfig()).isNull();
                assertThat(queue.pruner().toConfig())
                    .isEqualTo(
                        new JobPruner.Config(
                            Duration.ofMinutes(5),
                            Duration.ofHours(2),
                            Duration.ofDays(3),
                            100,
                            JobPruner.Config.DEFAULT_MAX_BATCHES));
                assertThat(queue.statistics().toInterval()).isEqualTo(Duration.ofSeconds(30));
                assertThat(queue.metrics().toSamplerConfig())
                    .isEqualTo(new QueueDepthSampler.Config(Duration.ofSeconds(30), 250));
                assertThat(queue.listenUrl()).isEqualTo("jdbc:postgresql://direct:5432/app");
                assertThat(queue.listenEnabled()).isFalse();
              });
    }

    @Test
    void leaseSetWithoutHeartbeatIsRenewedEveryThirdOfIt() {
      runner
          .withPropertyValues("conveyor.queue.lease.duration=15s")
          .run(
              context -> {
                WorkerConfig config =
                    context
                        .getBean(WorkerProperties.class)
                        .toWorkerConfig(context.getBean(QueueProperties.class));

                assertThat(config.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
                assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
              });
    }

    @Test
    void heartbeatLongerThanAThirdOfTheLeaseFailsStartupNamingTheProperties() {
      withHandler()
          .withPropertyValues(
              "conveyor.queue.lease.duration=30s", "conveyor.queue.lease.heartbeat=20s")
          .run(
              context ->
                  assertThat(context)
                      .getFailure()
                      .hasRootCauseInstanceOf(IllegalArgumentException.class)
                      .hasStackTraceContaining(
                          "Invalid Conveyor settings (conveyor.queue.*, conveyor.worker.*):"
                              + " heartbeatInterval must be at most a third of leaseDuration"));
    }

    @Test
    void retryJitterAboveOneFailsStartup() {
      withHandler()
          .withPropertyValues("conveyor.queue.retry.jitter=1.5")
          .run(
              context ->
                  assertThat(context)
                      .getFailure()
                      .hasStackTraceContaining("jitter must be between 0 and 1"));
    }

    @Test
    void nonPositiveDepthIntervalFailsStartup() {
      runner
          .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
          .withPropertyValues("conveyor.queue.metrics.depth-interval=0s")
          .run(
              context ->
                  assertThat(context)
                      .getFailure()
                      .hasStackTraceContaining("depth sampling interval must be positive"));
    }

    @Test
    void depthExactLimitOutOfRangeFailsStartupNamingTheSetting() {
      runner
          .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
          .withPropertyValues("conveyor.queue.metrics.depth-exact-limit=0")
          .run(
              context ->
                  assertThat(context)
                      .getFailure()
                      .hasStackTraceContaining(
                          "conveyor.queue.metrics.depth-exact-limit must be between 1 and"
                              + " 1000000, not 0"));
    }

    @Test
    void directUrlBindsFromConveyorDbAndIsUnsetByDefault() {
      runner.run(
          context -> assertThat(context.getBean(DatabaseProperties.class).directUrl()).isNull());
      runner
          .withPropertyValues("conveyor.db.direct-url=jdbc:postgresql://db-direct:5432/app")
          .run(
              context -> {
                DatabaseProperties database = context.getBean(DatabaseProperties.class);
                assertThat(database.directUrl()).isEqualTo("jdbc:postgresql://db-direct:5432/app");
                assertThat(database.directUrlOr("jdbc:postgresql://pooler:6432/app"))
                    .isEqualTo("jdbc:postgresql://db-direct:5432/app");
              });
    }

    @Test
    void aDirectUrlThatIsNoPostgresqlJdbcUrlFailsStartupNamingTheProperty() {
      for (String bad : new String[] {" ", "postgres://db-direct:5432/app"}) {
        runner
            .withPropertyValues("conveyor.db.direct-url=" + bad)
            .run(
                context ->
                    assertThat(context)
                        .getFailure()
                        .hasStackTraceContaining(
                            "conveyor.db.direct-url must be a PostgreSQL JDBC URL"));
      }
    }

    @Test
    void theDirectUrlsQueryIsNotPrinted() {
      assertThat(new DatabaseProperties("jdbc:postgresql://db:5432/app?password=s3cret"))
          .hasToString("DatabaseProperties[directUrl=jdbc:postgresql://db:5432/app?…]");
    }
  }

  @Nested
  class Beans {

    @Test
    void withoutJobHandlersOnlyTheEnqueueSideIsConfigured() {
      runner.run(
          context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(JobQueue.class);
            assertThat(context).hasSingleBean(QueueMetrics.class);
            assertThat(context).doesNotHaveBean(WorkerRuntime.class);
            assertThat(context).doesNotHaveBean(WorkerHealthIndicator.class);
          });
    }

    @Test
    void disabledWorkerCreatesNoRuntimeEvenWithHandlers() {
      withHandler()
          .withPropertyValues("conveyor.worker.enabled=false")
          .run(
              context -> {
                assertThat(context).hasSingleBean(JobQueue.class);
                assertThat(context).doesNotHaveBean(WorkerRuntime.class);
                assertThat(context).doesNotHaveBean(WorkerHealthIndicator.class);
              });
    }

    @Test
    void withoutDataSourceNothingIsConfigured() {
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(QueueAutoConfiguration.class))
          .withBean("recordingHandler", JobHandler.class, () -> handler)
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                assertThat(context).doesNotHaveBean(JobQueue.class);
                assertThat(context).doesNotHaveBean(WorkerRuntime.class);
              });
    }

    @Test
    void applicationsOwnJobQueueReplacesTheAutoConfiguredOne() {
      JobQueue own = new JobQueue(db.dataSource());
      runner
          .withBean("ownQueue", JobQueue.class, () -> own)
          .run(context -> assertThat(context).getBean(JobQueue.class).isSameAs(own));
    }

    @Test
    void withMeterRegistryMetricsUseItAndQueueDepthIsSampled() {
      runner
          .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
          .withPropertyValues("conveyor.queue.metrics.depth-interval=100ms")
          .run(
              context -> {
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                assertThat(context.getBean(QueueMetrics.class).registry()).isSameAs(registry);
                assertThat(context).hasSingleBean(QueueDepthSampler.class);

                context
                    .getBean(JobQueue.class)
                    .enqueue(JobRequest.of(KIND, "{}").withQueue("autoconf-depth"));

                await()
                    .atMost(Duration.ofSeconds(10))
                    .untilAsserted(
                        () ->
                            assertThat(
                                    registry
                                        .find("conveyor.queue.depth")
                                        .tag("queue", "autoconf-depth")
                                        .gauge())
                                .isNotNull()
                                .extracting(g -> g.value())
                                .isEqualTo(1.0));
                assertThat(
                        registry
                            .get("conveyor.jobs.enqueued")
                            .tag("queue", "autoconf-depth")
                            .counter()
                            .count())
                    .isEqualTo(1.0);
              });
    }

    @Test
    void withoutMeterRegistryNoDepthIsSampled() {
      runner.run(context -> assertThat(context).doesNotHaveBean(QueueDepthSampler.class));
    }
  }

  @Nested
  class Worker {

    @Test
    void handlerBeanGetsARuntimeThatRunsJobsAndStopsWithTheContext() {
      AtomicReference<WorkerRuntime> started = new AtomicReference<>();
      withHandler()
          .withPropertyValues(FAST_WORKER)
          .run(
              context -> {
                assertThat(context).hasSingleBean(WorkerRuntime.class);
                assertThat(context).hasSingleBean(PlatformTransactionManager.class);
                WorkerRuntime runtime = context.getBean(WorkerRuntime.class);
                started.set(runtime);
                assertThat(runtime.isRunning()).isTrue();
                SmartLifecycle lifecycle =
                    context.getBean("conveyorWorkerLifecycle", SmartLifecycle.class);
                assertThat(lifecycle.isRunning()).isTrue();
                assertThat(lifecycle.getPhase()).isEqualTo(QueueAutoConfiguration.LIFECYCLE_PHASE);

                JobQueue queue = context.getBean(JobQueue.class);
                long id = queue.enqueue(JobRequest.of(KIND, "{}").withQueue(QUEUE)).job().id();

                await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> queue.find(id).orElseThrow().state() == JobState.COMPLETED);
                assertThat(handler.runs).containsExactly(id);
              });
      assertThat(started.get().isRunning()).isFalse();
      assertThat(started.get().status().phase()).isEqualTo("stopped");
    }

    @Test
    void schedulesDeclaredInPropertiesAreRegisteredAndFired() {
      withHandler()
          .withPropertyValues(FAST_WORKER)
          .withPropertyValues(
              "conveyor.worker.schedules.nightly.cron=0 3 * * *",
              "conveyor.worker.schedules.nightly.zone=Europe/Berlin",
              "conveyor.worker.schedules.nightly.kind=" + KIND,
              "conveyor.worker.schedules.nightly.queue=" + QUEUE,
              "conveyor.worker.schedules.nightly.missed-policy=skip",
              "conveyor.worker.schedules.every-second.cron=* * * * * *",
              "conveyor.worker.schedules.every-second.kind=" + KIND,
              "conveyor.worker.schedules.every-second.queue=" + QUEUE)
          .run(
              context -> {
                JobQueue queue = context.getBean(JobQueue.class);
                await().atMost(Duration.ofSeconds(5)).until(() -> !handler.runs.isEmpty());
                assertThat(queue.schedules())
                    .extracting(
                        s -> s.name(), s -> s.cron(), s -> s.timeZone(), s -> s.missedPolicy())
                    .contains(
                        org.assertj.core.groups.Tuple.tuple(
                            "nightly", "0 0 3 * * *", "Europe/Berlin", "skip"),
                        org.assertj.core.groups.Tuple.tuple(
                            "every-second", "* * * * * *", "UTC", "run_once"));
              });
    }

    @Test
    void anInvalidCronFailsStartupNamingTheProperties() {
      withHandler()
          .withPropertyValues(FAST_WORKER)
          .withPropertyValues(
              "conveyor.worker.schedules.broken.cron=every day",
              "conveyor.worker.schedules.broken.kind=" + KIND)
          .run(
              context ->
                  assertThat(context)
                      .hasFailed()
                      .getFailure()
                      .hasStackTraceContaining("invalid cron expression 'every day'"));
    }

    @Test
    void startupFailsWhenTheDatabaseHasNoQueueSchema() {
      String emptyDatabase = emptyDatabaseUrl();
      withHandler()
          .withPropertyValues(FAST_WORKER)
          .withPropertyValues("spring.datasource.url=" + emptyDatabase)
          .run(
              context ->
                  assertThat(context)
                      .getFailure()
                      .hasStackTraceContaining(
                          "the conveyor queue schema is missing from this database"));
    }

    @Test
    void healthIsUpWithTheRuntimeStatusWhileRunning() {
      withHandler()
          .withPropertyValues(FAST_WORKER)
          .run(
              context -> {
                WorkerHealthIndicator indicator = context.getBean(WorkerHealthIndicator.class);
                // The listener connects on its own thread, shortly after the start.
                await()
                    .atMost(Duration.ofSeconds(10))
                    .until(
                        () ->
                            Boolean.TRUE.equals(
                                indicator.health().getDetails().get("listenerConnected")));

                Health health = indicator.health();
                assertThat(health.getStatus()).isEqualTo(Status.UP);
                assertThat(health.getDetails())
                    .containsEntry("workerId", "autoconf-test")
                    .containsEntry("phase", "running")
                    .containsEntry("runningByQueue", Map.of(QUEUE, 0))
                    .containsEntry("claimsFailing", false);
              });
    }

    @Test
    void healthIsDownWhenTheRuntimeIsNotRunning() {
      try (WorkerRuntime notStarted =
          WorkerRuntime.builder(db.dataSource()).handler(handler).listenConnections(null).build()) {
        Health health = new WorkerHealthIndicator(notStarted).health();

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails())
            .containsEntry("phase", "new")
            .doesNotContainKey("listenerConnected");
      }
    }

    @Test
    void listenUrlIsUsedForTheListenConnection() {
      withHandler()
          .withPropertyValues(FAST_WORKER)
          .withPropertyValues("conveyor.queue.listen-url=" + db.url())
          .run(
              context -> {
                WorkerRuntime runtime = context.getBean(WorkerRuntime.class);
                await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> Boolean.TRUE.equals(runtime.status().listenerConnected()));
              });
    }

    @Test
    void listenDisabledRunsAPollingOnlyWorker() {
      withHandler()
          .withPropertyValues(FAST_WORKER)
          .withPropertyValues("conveyor.queue.listen-enabled=false")
          .run(
              context -> {
                WorkerRuntime runtime = context.getBean(WorkerRuntime.class);
                assertThat(runtime.status().listenerConnected()).isNull();

                JobQueue queue = context.getBean(JobQueue.class);
                long id = queue.enqueue(JobRequest.of(KIND, "{}").withQueue(QUEUE)).job().id();
                await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> queue.find(id).orElseThrow().state() == JobState.COMPLETED);
              });
    }
  }

  @Nested
  class ListenConnection {

    @Test
    void hikariPoolGetsADedicatedConnectionNotAPooledOne() throws SQLException {
      try (HikariDataSource hikari = new HikariDataSource()) {
        hikari.setJdbcUrl(db.url());
        hikari.setUsername(db.user());
        hikari.setPassword(db.password());

        ConnectionSource source =
            ListenConnections.resolve(queueProperties(Map.of()), NO_DIRECT_URL, hikari, null);

        assertThat(source).isNotNull();
        assertThat(currentUser(source)).isEqualTo(db.user());
        // A Hikari data source starts its pool on the first borrow: none happened.
        assertThat(hikari.getHikariPoolMXBean()).isNull();
      }
    }

    @Test
    void listenUrlIsOpenedWithTheDataSourceCredentials() throws SQLException {
      DataSourceProperties dataSource = new DataSourceProperties();
      dataSource.setUsername(db.user());
      dataSource.setPassword(db.password());
      CountingDataSource pool = new CountingDataSource();
      String urlWithoutCredentials = db.url().replaceFirst("\\?.*", "");

      ConnectionSource source =
          ListenConnections.resolve(
              queueProperties(Map.of("listen-url", urlWithoutCredentials)),
              NO_DIRECT_URL,
              pool,
              dataSource);

      assertThat(source).isNotNull();
      assertThat(currentUser(source)).isEqualTo(db.user());
      assertThat(pool.borrowed.get()).isZero();
    }

    @Test
    void otherDataSourcesLendTheListenConnection() throws SQLException {
      CountingDataSource pool = new CountingDataSource();

      ConnectionSource source =
          ListenConnections.resolve(queueProperties(Map.of()), NO_DIRECT_URL, pool, null);

      assertThat(source).isNotNull();
      assertThat(currentUser(source)).isEqualTo(db.user());
      assertThat(pool.borrowed.get()).isEqualTo(1);
    }

    @Test
    void listenDisabledGivesNoConnectionSource() {
      ConnectionSource source =
          ListenConnections.resolve(
              queueProperties(Map.of("listen-enabled", "false")),
              NO_DIRECT_URL,
              new CountingDataSource(),
              null);

      assertThat(source).isNull();
    }

    @Test
    void directUrlIsOpenedForListenWhenNoListenUrlIsSet() throws SQLException {
      DataSourceProperties dataSource = new DataSourceProperties();
      dataSource.setUsername(db.user());
      dataSource.setPassword(db.password());
      CountingDataSource pool = new CountingDataSource();
      String direct = db.url().replaceFirst("\\?.*", "") + "?ApplicationName=direct-url-listen";

      ConnectionSource source =
          ListenConnections.resolve(
              queueProperties(Map.of()), new DatabaseProperties(direct), pool, dataSource);

      assertThat(source).isNotNull();
      try (Connection c = source.open();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT current_setting('application_name')")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("direct-url-listen");
      }
      assertThat(pool.borrowed.get()).isZero();
    }

    @Test
    void listenUrlWinsOverTheDirectUrl() throws SQLException {
      CountingDataSource pool = new CountingDataSource();
      String base = db.url().replaceFirst("\\?.*", "");
      DataSourceProperties dataSource = new DataSourceProperties();
      dataSource.setUsername(db.user());
      dataSource.setPassword(db.password());

      ConnectionSource source =
          ListenConnections.resolve(
              queueProperties(Map.of("listen-url", base + "?ApplicationName=listen-url")),
              new DatabaseProperties(base + "?ApplicationName=direct-url"),
              pool,
              dataSource);

      try (Connection c = source.open();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT current_setting('application_name')")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("listen-url");
      }
    }

    private static final DatabaseProperties NO_DIRECT_URL = new DatabaseProperties(null);

    private static QueueProperties queueProperties(Map<String, String> values) {
      Map<String, String> prefixed = new HashMap<>();
      values.forEach((k, v) -> prefixed.put("conveyor.queue." + k, v));
      return new Binder(new MapConfigurationPropertySource(prefixed))
          .bindOrCreate("conveyor.queue", QueueProperties.class);
    }

    private static String currentUser(ConnectionSource source) throws SQLException {
      try (Connection c = source.open();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT current_user")) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  /** A database on the test server without the queue schema (created once). */
  private static String emptyDatabaseUrl() {
    try {
      db.execute("CREATE DATABASE autoconf_empty");
    } catch (IllegalStateException alreadyThere) {
      // An earlier test of this JVM created it.
    }
    return db.url().replaceFirst("^(jdbc:postgresql://[^/]+/)[^?]*", "$1autoconf_empty");
  }

  /** Not Hikari, not a wrapper: a plain data source that counts what it lends. */
  private static final class CountingDataSource extends SimpleDriverDataSource {
    final AtomicInteger borrowed = new AtomicInteger();

    CountingDataSource() {
      super(new org.postgresql.Driver(), db.url(), db.user(), db.password());
    }

    @Override
    public Connection getConnection() throws SQLException {
      borrowed.incrementAndGet();
      return super.getConnection();
    }
  }

  /** Records which jobs ran; completes them all. */
  private static final class RecordingHandler implements JobHandler {
    final Set<Long> runs = ConcurrentHashMap.newKeySet();

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public void handle(JobContext context) {
      runs.add(context.jobId());
    }
  }
}
