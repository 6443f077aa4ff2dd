package dev.conveyor.launcher;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * {@code conveyor-local}: runs the whole system on this machine (see {@link LaunchOptions#USAGE}).
 *
 * <p><b>Stopping.</b> SIGINT (Ctrl-C), SIGTERM and SIGHUP are handled here rather than by the JVM's
 * shutdown hooks, because embedded PostgreSQL registers a hook of its own that would stop the
 * database at the same moment as the services, while they still use it. The first signal asks the
 * main thread to stop in order (services, gracefully, then PostgreSQL); a second one kills the
 * services instead of waiting for them. A shutdown hook remains as the fallback for any other exit.
 *
 * <p><b>Exit codes.</b> 0 after a requested stop, 1 when the stack could not start or a service
 * died (everything else is stopped first), 2 for an unusable command line.
 */
public final class Launcher {

  static final int USAGE_ERROR = 2;

  private Launcher() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** Runs the stack until it is stopped; returns the exit code. */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    LaunchOptions options;
    try {
      options = LaunchOptions.parse(args, env);
    } catch (LaunchOptions.UsageException e) {
      err.println("conveyor-local: " + e.getMessage());
      err.println("Try --help.");
      return USAGE_ERROR;
    }
    if (options == null) {
      out.print(LaunchOptions.USAGE);
      return 0;
    }
    LocalStack stack = new LocalStack(options, out);
    handleStopSignals(stack);
    Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "launcher-shutdown"));
    try {
      LocalStack.Endpoints endpoints = stack.start();
      printReady(out, options, endpoints);
      return stack.awaitExit();
    } catch (LocalStack.StopRequested e) {
      return 0;
    } catch (LaunchException | LaunchOptions.UsageException e) {
      err.println("[launcher] " + e.getMessage());
      return LocalStack.FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return LocalStack.FAILED;
    } catch (RuntimeException e) {
      err.println("[launcher] failed: " + e);
      e.printStackTrace(err);
      return LocalStack.FAILED;
    } finally {
      stack.close();
    }
  }

  private static void printReady(
      PrintStream out, LaunchOptions options, LocalStack.Endpoints endpoints) {
    String dataDir = options.dataDir().toString();
    out.println(
        """
        [launcher] Conveyor is running.
        [launcher]   API:         %s
        [launcher]   Swagger UI:  %s
        [launcher]   API key:     %s   (admin; also in %s)
        [launcher]   Database:    %s   (user %s)
        [launcher] Try:  KEY=$(cat %s); curl -s -H "Authorization: Bearer $KEY" %s/api/reports
        [launcher] Press Ctrl-C to stop."""
            .formatted(
                endpoints.apiUrl(),
                endpoints.swaggerUrl(),
                endpoints.apiKey(),
                java.nio.file.Path.of(dataDir, LocalSecrets.API_KEY_FILE),
                endpoints.dbUrl(),
                endpoints.dbUser(),
                java.nio.file.Path.of(dataDir, LocalSecrets.API_KEY_FILE),
                endpoints.apiUrl()));
  }

  private static void handleStopSignals(LocalStack stack) {
    AtomicInteger received = new AtomicInteger();
    for (String name : new String[] {"INT", "TERM", "HUP"}) {
      try {
        Signal.handle(
            new Signal(name),
            signal -> {
              if (received.incrementAndGet() == 1) {
                stack.requestStop();
              } else {
                // Asked twice: kill the services; the main thread still stops PostgreSQL after
                // them.
                stack.forceStop();
              }
            });
      } catch (IllegalArgumentException unsupported) {
        // No such signal on this OS (HUP on Windows): the shutdown hook covers it.
      }
    }
  }
}
