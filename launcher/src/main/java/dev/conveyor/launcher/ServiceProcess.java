package dev.conveyor.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One service (api-service or worker-service) run as a child JVM with {@code java -jar}. Its
 * standard output and error are copied, line by line, to the launcher's output with a {@code
 * [name]} prefix, the way docker compose shows several services in one terminal.
 *
 * <p>Stopping is graceful first: SIGTERM ({@link ProcessHandle#destroy()}), which Spring Boot
 * answers by finishing requests and running jobs, then, after the timeout, SIGKILL.
 */
final class ServiceProcess {

  /** Environment variables of the launcher's own environment that would override ours. */
  private static final List<String> INHERITED_OVERRIDES =
      List.of(
          "SPRING_DATASOURCE_URL",
          "SPRING_DATASOURCE_USERNAME",
          "SPRING_DATASOURCE_PASSWORD",
          "SPRING_APPLICATION_JSON",
          "SPRING_CONFIG_LOCATION",
          "SPRING_CONFIG_ADDITIONAL_LOCATION");

  private final String name;
  private final Process process;
  private final URI healthUrl;
  private final Thread pump;

  private ServiceProcess(String name, Process process, URI healthUrl, Thread pump) {
    this.name = name;
    this.process = process;
    this.healthUrl = healthUrl;
    this.pump = pump;
  }

  /**
   * Starts {@code java -jar jar} with the launcher's environment plus {@code env}.
   *
   * @param healthUrl answered with 200 once the service is ready
   */
  static ServiceProcess start(
      String name, Path jar, Map<String, String> env, URI healthUrl, PrintStream out) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar.toAbsolutePath().toString());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    INHERITED_OVERRIDES.forEach(builder.environment()::remove);
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new LaunchException("could not start " + name + ": " + e.getMessage(), e);
    }
    Thread pump =
        Thread.ofPlatform()
            .name("output-" + name)
            .daemon()
            .start(
                () -> {
                  try (BufferedReader lines =
                      new BufferedReader(
                          new InputStreamReader(
                              process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                      out.println("[" + name + "] " + line);
                    }
                  } catch (IOException e) {
                    // The stream closes when the process is killed: nothing more to copy.
                  }
                });
    return new ServiceProcess(name, process, healthUrl, pump);
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code; only once the process has exited. */
  int exitValue() {
    return process.exitValue();
  }

  CompletableFuture<Process> onExit() {
    return process.onExit();
  }

  /** True when the health URL answers 200 now; false on any other answer or no answer. */
  boolean isHealthy(HttpClient http) {
    try {
      HttpResponse<Void> response =
          http.send(
              HttpRequest.newBuilder(healthUrl).timeout(Duration.ofSeconds(2)).GET().build(),
              HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Sends SIGTERM (Spring Boot's graceful shutdown); returns at once. */
  void requestStop() {
    // Through the handle: Process.destroy() would also close our end of its output, losing the
    // shutdown log (and the service would write into a broken pipe).
    process.toHandle().destroy();
  }

  /** Sends SIGKILL; returns at once. */
  void kill() {
    process.toHandle().destroyForcibly();
  }

  /**
   * Waits until the process has exited or {@code deadlineNanos} ({@link System#nanoTime()}) has
   * passed, then kills it if it is still running. Returns true when it stopped on its own.
   */
  boolean awaitStop(long deadlineNanos) throws InterruptedException {
    boolean graceful =
        process.waitFor(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    if (!graceful) {
      kill();
      process.waitFor(5, TimeUnit.SECONDS);
    }
    // Let the last lines (the shutdown log) reach the output before saying it stopped.
    pump.join(Duration.ofSeconds(2));
    return graceful;
  }
}
