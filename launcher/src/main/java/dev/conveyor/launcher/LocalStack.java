package dev.conveyor.launcher;

import dev.conveyor.migrations.Migrations;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.flywaydb.core.api.output.MigrateResult;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The local stack and its order: database, migrations, sample data, then the two services; stopped
 * in reverse (services first, gracefully, then PostgreSQL).
 *
 * <p>Threading: {@link #start()} and {@link #awaitExit()} run on the launcher's main thread. {@link
 * #requestStop()} may be called from any thread (a signal handler): it only asks, and the main
 * thread notices between start steps and while waiting. {@link #close()} may run on any thread,
 * more than once; a service is never started after the stack was closed, so none is left behind.
 */
final class LocalStack implements AutoCloseable {

  /** Exit code when a service died or the stack could not start. */
  static final int FAILED = 1;

  private static final String LOOPBACK = "127.0.0.1";
  private static final Duration HEALTH_POLL = Duration.ofMillis(250);

  private final LaunchOptions options;
  private final PrintStream out;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
  private final Object lock = new Object();
  private final List<ServiceProcess> services = new ArrayList<>();
  private @Nullable EmbeddedDatabase database;
  private boolean closed;

  LocalStack(LaunchOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** What a started stack tells its user. */
  record Endpoints(String apiUrl, String swaggerUrl, String apiKey, String dbUrl, String dbUser) {

    @Override
    public String toString() {
      return "Endpoints[" + apiUrl + "]";
    }
  }

  /**
   * Starts everything and waits until both services are healthy.
   *
   * @throws LaunchException when something cannot start (already stopped what had started)
   * @throws StopRequested when {@link #requestStop()} came first
   */
  Endpoints start() {
    Path dataDir = options.dataDir().toAbsolutePath();
    LocalSecrets secrets;
    try {
      secrets = LocalSecrets.in(dataDir);
    } catch (IOException e) {
      throw new LaunchException("could not read or create the secrets in " + dataDir, e);
    }
    Path apiJar = options.resolveApiJar();
    Path workerJar = options.resolveWorkerJar();
    Ports.requireFree(options.apiPort(), "--api-port");
    Ports.requireFree(options.workerPort(), "--worker-port");

    String dbUrl;
    String dbUser = options.dbUser();
    String dbPassword = options.dbPassword();
    if (options.embeddedDatabase()) {
      say("Starting PostgreSQL (data in " + dataDir.resolve("pgdata") + ")");
      EmbeddedDatabase db =
          EmbeddedDatabase.start(
              dataDir.resolve("pgdata"), options.pgPort(), dataDir.resolve("postgres.log"));
      synchronized (lock) {
        database = db;
        if (closed) {
          db.close();
          throw new StopRequested();
        }
      }
      dbUrl = db.url();
    } else {
      dbUrl = options.dbUrl();
      say("Using the database at " + dbUrl);
    }
    checkNotStopping();

    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(dbUrl);
    if (!dbUser.isEmpty()) {
      dataSource.setUser(dbUser);
    }
    dataSource.setPassword(dbPassword);
    dataSource.setApplicationName("conveyor-launcher");
    migrate(dataSource);
    checkNotStopping();
    try {
      say(SampleSeeding.seedIfEmpty(dataSource, options.sampleVoters(), options.sampleSeed()));
    } catch (SQLException e) {
      throw new LaunchException("seeding the sample registry failed: " + e.getMessage(), e);
    }
    checkNotStopping();

    Map<String, String> common = new HashMap<>();
    common.put("CONVEYOR_DB_URL", dbUrl);
    common.put("CONVEYOR_DB_USER", dbUser);
    common.put("CONVEYOR_DB_PASSWORD", dbPassword);
    common.put("SERVER_ADDRESS", LOOPBACK);
    common.put("SPRING_MAIN_BANNER_MODE", "off");
    // Ctrl-C should not wait out the 30 s defaults (an open SSE stream would hold the API that
    // long); a job still running after the worker's timeout is released and runs again next time.
    common.put("SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE", "10s");

    Map<String, String> apiEnv = new HashMap<>(common);
    apiEnv.put("SERVER_PORT", Integer.toString(options.apiPort()));
    apiEnv.put("CONVEYOR_API_CALLBACKS_SECRETS", secrets.callbackSecret());
    apiEnv.put("CONVEYOR_API_BOOTSTRAP_KEY", secrets.apiKey());
    // Local development: a report's callbackUrl may point at a receiver on this machine.
    apiEnv.put("CONVEYOR_API_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", "true");

    Map<String, String> workerEnv = new HashMap<>(common);
    workerEnv.put("SERVER_PORT", Integer.toString(options.workerPort()));
    workerEnv.put("CONVEYOR_WORKER_SERVICE_API_BASE_URL", baseUrl(LOOPBACK, options.apiPort()));
    workerEnv.put("CONVEYOR_WORKER_SERVICE_CALLBACK_SECRET", secrets.callbackSecret());
    workerEnv.put("CONVEYOR_WORKER_SHUTDOWN_TIMEOUT", "5s");
    workerEnv.put("CONVEYOR_WORKER_SERVICE_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", "true");

    // The database is migrated already, so the two start side by side.
    say("Starting api-service (" + apiJar + ") and worker-service (" + workerJar + ")");
    ServiceProcess api =
        launch(
            "api",
            apiJar,
            apiEnv,
            URI.create(baseUrl(LOOPBACK, options.apiPort()) + "/actuator/health/readiness"));
    ServiceProcess worker =
        launch(
            "worker",
            workerJar,
            workerEnv,
            URI.create(baseUrl(LOOPBACK, options.workerPort()) + "/actuator/health"));
    awaitHealthy(List.of(api, worker));
    watch(api);
    watch(worker);

    String apiUrl = baseUrl("localhost", options.apiPort());
    return new Endpoints(
        apiUrl,
        apiUrl + "/swagger-ui.html",
        secrets.apiKey(),
        dbUrl,
        dbUser.isEmpty() ? "(from the URL)" : dbUser);
  }

  /**
   * Blocks until a stop was requested (returns 0) or a service exited on its own (returns {@link
   * #FAILED}).
   */
  int awaitExit() throws InterruptedException {
    try {
      return exitCode.get();
    } catch (ExecutionException e) {
      return FAILED;
    }
  }

  /** Asks the stack to stop; the main thread stops it. Safe from any thread, more than once. */
  void requestStop() {
    if (exitCode.complete(0)) {
      say("Stopping: the services first, then PostgreSQL (again to kill the services now)");
    }
  }

  /** Kills the services at once (SIGKILL), for a second Ctrl-C; {@link #close()} still runs. */
  void forceStop() {
    List<ServiceProcess> running;
    synchronized (lock) {
      running = List.copyOf(services);
    }
    running.forEach(ServiceProcess::kill);
  }

  boolean stopRequested() {
    return exitCode.isDone();
  }

  /**
   * Stops the services (SIGTERM to both, then SIGKILL to whichever outlives {@code
   * --stop-timeout}), then PostgreSQL. Idempotent.
   */
  @Override
  public void close() {
    List<ServiceProcess> running;
    EmbeddedDatabase db;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      running = List.copyOf(services);
      db = database;
    }
    exitCode.complete(0);
    running.forEach(ServiceProcess::requestStop);
    long deadline = System.nanoTime() + options.stopTimeout().toNanos();
    boolean interrupted = false;
    for (ServiceProcess service : running) {
      try {
        if (service.awaitStop(deadline)) {
          say(service.name() + " stopped (exit code " + service.exitValue() + ")");
        } else {
          say(service.name() + " did not stop within " + options.stopTimeout() + ": killed");
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (db != null) {
      say("Stopping PostgreSQL");
      db.close();
    }
    say("Stopped");
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void migrate(javax.sql.DataSource dataSource) {
    say("Applying migrations");
    try {
      MigrateResult result =
          Migrations.configure()
              .dataSource(dataSource)
              // A given server may still be starting; a wrong URL fails after about 7 s.
              .connectRetries(options.embeddedDatabase() ? 0 : 3)
              .load()
              .migrate();
      // A run with nothing to apply has no target version; the schema stays at the initial one.
      say(
          "Schema at version "
              + Objects.requireNonNullElse(result.targetSchemaVersion, result.initialSchemaVersion)
              + " ("
              + result.migrationsExecuted
              + " migrations applied now)");
    } catch (RuntimeException e) {
      throw new LaunchException("migrating the database failed: " + e.getMessage(), e);
    }
  }

  private ServiceProcess launch(String name, Path jar, Map<String, String> env, URI health) {
    synchronized (lock) {
      if (closed) {
        throw new StopRequested();
      }
      ServiceProcess service = ServiceProcess.start(name, jar, env, health, out);
      services.add(service);
      return service;
    }
  }

  private void awaitHealthy(List<ServiceProcess> starting) {
    long deadline = System.nanoTime() + options.startupTimeout().toNanos();
    List<ServiceProcess> waiting = new ArrayList<>(starting);
    while (!waiting.isEmpty()) {
      checkNotStopping();
      for (ServiceProcess service : starting) {
        if (!service.isAlive()) {
          throw new LaunchException(
              service.name()
                  + " exited during start-up (exit code "
                  + service.exitValue()
                  + "); its output above says why");
        }
      }
      waiting.removeIf(service -> service.isHealthy(http));
      if (waiting.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new LaunchException(
            waiting.getFirst().name()
                + " was not healthy after "
                + options.startupTimeout().toSeconds()
                + " s (--startup-timeout)");
      }
      try {
        // Waiting on the process, not sleeping: a crash ends the wait at once.
        waiting.getFirst().onExit().get(HEALTH_POLL.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException expected) {
        // Not healthy yet, still running: poll again.
      } catch (ExecutionException e) {
        throw new LaunchException("waiting for " + waiting.getFirst().name() + " failed", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StopRequested();
      }
    }
  }

  /** A service that exits while the stack runs ends the stack with {@link #FAILED}. */
  private void watch(ServiceProcess service) {
    service
        .onExit()
        .thenRun(
            () -> {
              if (!stopRequested()) {
                say(
                    service.name()
                        + " exited unexpectedly (exit code "
                        + service.exitValue()
                        + "): stopping everything");
                exitCode.complete(FAILED);
              }
            });
  }

  private void checkNotStopping() {
    if (stopRequested()) {
      throw new StopRequested();
    }
  }

  private void say(String message) {
    out.println("[launcher] " + message);
  }

  private static String baseUrl(String host, int port) {
    return "http://" + host + ":" + port;
  }

  /** Start-up was cut short by a stop request. */
  static final class StopRequested extends RuntimeException {
    StopRequested() {
      super("stop requested", null, false, false);
    }
  }
}
