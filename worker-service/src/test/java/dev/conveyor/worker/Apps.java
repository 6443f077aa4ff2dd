package dev.conveyor.worker;

import dev.conveyor.api.ConveyorApiApplication;
import dev.conveyor.testsupport.TestDatabase;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the API and the worker over the test database for end-to-end tests: in this JVM as Spring
 * applications, or the worker as a separate OS process (to kill it without a graceful shutdown).
 */
final class Apps {

  static final String CALLBACK_SECRET = EndToEndTests.SECRET;

  /**
   * Spring Security's auto-configuration, which the API brings onto this class path: a worker in
   * this JVM leaves it out, as a deployed worker (which does not have it) does; otherwise its
   * actuator would answer 401. For {@code --spring.autoconfigure.exclude}.
   */
  static final String API_SECURITY_AUTOCONFIGURATION =
      "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration,"
          + "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration,"
          + "org.springframework.boot.security.autoconfigure.web.servlet"
          + ".ServletWebSecurityAutoConfiguration,"
          + "org.springframework.boot.security.autoconfigure.web.servlet"
          + ".SecurityFilterAutoConfiguration,"
          + "org.springframework.boot.security.autoconfigure.actuate.web.servlet"
          + ".ManagementWebSecurityAutoConfiguration";

  private Apps() {}

  /**
   * The API on {@code port} (0: any free port); read the port with {@link #port}. It accepts the
   * worker's {@link #CALLBACK_SECRET} unless {@code extra} names {@code
   * conveyor.api.callbacks.secrets} itself.
   */
  static ConfigurableApplicationContext api(TestDatabase db, int port, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--spring.config.location=" + EndToEndTests.configOf(ConveyorApiApplication.class),
                "--server.port=" + port,
                "--spring.datasource.url=" + db.url(),
                "--spring.datasource.username=" + db.user(),
                "--spring.datasource.password=" + db.password(),
                "--spring.datasource.hikari.maximum-pool-size=5"));
    if (Stream.of(extra).noneMatch(a -> a.startsWith("--conveyor.api.callbacks.secrets"))) {
      args.add("--conveyor.api.callbacks.secrets[0]=" + CALLBACK_SECRET);
    }
    return new SpringApplicationBuilder(ConveyorApiApplication.class).run(concat(args, extra));
  }

  /** A worker in this JVM that calls back to the API at {@code apiPort}. */
  static ConfigurableApplicationContext worker(TestDatabase db, int apiPort, String... extra) {
    return new SpringApplicationBuilder(ConveyorWorkerApplication.class)
        .run(concat(workerArgs(db, apiPort), extra));
  }

  /** A worker in this JVM whose callbacks are signed with {@code clock}'s time. */
  static ConfigurableApplicationContext worker(
      TestDatabase db, int apiPort, InstantSource clock, String... extra) {
    return new SpringApplicationBuilder(ConveyorWorkerApplication.class)
        .initializers(
            (ConfigurableApplicationContext context) ->
                context.getBeanFactory().registerSingleton("workerClock", clock))
        .run(concat(workerArgs(db, apiPort), extra));
  }

  /**
   * A worker as a separate JVM on this test's class path, its output in {@code log}. Kill it with
   * {@link Process#destroyForcibly()} (SIGKILL: no shutdown hook, no graceful stop).
   */
  static Process workerProcess(TestDatabase db, int apiPort, Path log, String... extra) {
    return workerProcess(ConveyorWorkerApplication.class, List.of(), db, apiPort, log, extra);
  }

  /**
   * A worker as a separate JVM started by {@code main} (a test's variant of the worker), with
   * {@code jvmOptions} (e.g. {@code -Dname=value}).
   */
  static Process workerProcess(
      Class<?> main,
      List<String> jvmOptions,
      TestDatabase db,
      int apiPort,
      Path log,
      String... extra) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    // Starts faster on a busy machine (and runs slower, which only widens the window to kill it).
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(workerClassPath());
    command.add(main.getName());
    command.addAll(List.of(concat(workerArgs(db, apiPort), extra)));
    try {
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * This test JVM's class path without the API and what only the API uses (JPA, springdoc), which a
   * deployed worker does not have either and which would otherwise be auto-configured.
   */
  private static String workerClassPath() {
    return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !API_ONLY.matcher(entry).find())
        .collect(Collectors.joining(File.pathSeparator));
  }

  // Hibernate ORM is the API's; Hibernate Validator is the worker's too (its @Validated settings).
  private static final Pattern API_ONLY =
      Pattern.compile(
          "api-service|hibernate(?![-/]validator)|jakarta\\.persistence|spring-data-jpa|springdoc"
              + "|swagger|spring-security|spring-boot-security|spring-boot-starter-security"
              + "|thymeleaf|attoparser|unbescape");

  private static List<String> workerArgs(TestDatabase db, int apiPort) {
    return List.of(
        "--spring.config.location=" + EndToEndTests.configOf(ConveyorWorkerApplication.class),
        "--server.port=0",
        "--spring.datasource.url=" + db.url(),
        "--spring.datasource.username=" + db.user(),
        "--spring.datasource.password=" + db.password(),
        "--spring.datasource.hikari.maximum-pool-size=8",
        "--conveyor.worker-service.api-base-url=http://localhost:" + apiPort,
        "--conveyor.worker-service.callback-secret=" + CALLBACK_SECRET,
        "--conveyor.worker-service.progress-interval=50ms",
        "--conveyor.worker.fetch.poll-interval=200ms",
        "--spring.autoconfigure.exclude=" + API_SECURITY_AUTOCONFIGURATION);
  }

  static int port(ConfigurableApplicationContext app) {
    return Integer.parseInt(app.getEnvironment().getRequiredProperty("local.server.port"));
  }

  /** A port nothing listens on now (it was free a moment ago). */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String[] concat(List<String> args, String... extra) {
    return Stream.concat(args.stream(), Stream.of(extra)).toArray(String[]::new);
  }
}
