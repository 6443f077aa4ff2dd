package dev.conveyor.launcher;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The launcher's real {@code main} in a JVM of its own (the test classpath), as a user runs it: its
 * output is collected line by line (and echoed, prefixed, for the test report), and it is stopped
 * with a real SIGTERM.
 */
final class LauncherProcess implements AutoCloseable {

  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final List<ProcessHandle> descendants = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private LauncherProcess(Process process) {
    this.process = process;
    this.reader =
        Thread.ofPlatform()
            .daemon()
            .name("launcher-output")
            .start(
                () -> {
                  try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(
                              process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                      lines.add(line);
                      System.out.println("  | " + line);
                    }
                  } catch (IOException e) {
                    // The process is gone.
                  }
                });
  }

  static LauncherProcess start(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Launcher.class.getName());
    command.addAll(args);
    try {
      return new LauncherProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for the readiness banner and returns the printed API key. */
  String awaitReady(Duration timeout) {
    await("the launcher's readiness banner")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(200))
        .failFast("the launcher exited", () -> !process.isAlive())
        .until(() -> lines.stream().anyMatch(l -> l.contains("Conveyor is running.")));
    // Remember the services now: after a stop they are no longer the launcher's children.
    process.toHandle().descendants().forEach(descendants::add);
    return find(Pattern.compile("API key:\\s+(\\S+)"))
        .orElseThrow(() -> new AssertionError("no API key printed"));
  }

  Optional<String> find(Pattern pattern) {
    for (String line : lines) {
      Matcher m = pattern.matcher(line);
      if (m.find()) {
        return Optional.of(m.group(m.groupCount() >= 1 ? 1 : 0));
      }
    }
    return Optional.empty();
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  /** The services (and anything else) the launcher had started, as seen when it was ready. */
  List<ProcessHandle> descendants() {
    return List.copyOf(descendants);
  }

  /** The running child whose command line contains {@code text}. */
  ProcessHandle child(String text) {
    return process
        .toHandle()
        .children()
        .filter(c -> c.info().commandLine().orElse("").contains(text))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no child process with " + text));
  }

  /** SIGTERM, as {@code kill} or a service manager sends. */
  void terminate() {
    // Through the handle: Process.destroy() would also close our end of its output.
    process.toHandle().destroy();
  }

  /** Waits for the launcher to exit and its output to be read to the end; returns its exit code. */
  int awaitExit(Duration timeout) {
    await("the launcher to exit and its output to end")
        .atMost(timeout)
        .until(() -> !process.isAlive() && !reader.isAlive());
    return process.exitValue();
  }

  /**
   * Leaves nothing running, whatever the test did: a launcher still running gets SIGTERM first, so
   * that it stops its PostgreSQL (which runs in a session of its own, not as a descendant).
   */
  @Override
  public void close() {
    if (process.isAlive()) {
      terminate();
      try {
        process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    descendants.forEach(ProcessHandle::destroyForcibly);
    process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
