package dev.conveyor.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time spent by this JVM and by a local PostgreSQL server (postmaster and its children, read
 * from {@code /proc}), so that each run can say which side was busy. Linux only; elsewhere, or for
 * a remote server, the PostgreSQL side is unknown.
 */
final class ProcCpu {

  /** USER_HZ: the unit of the times in /proc/PID/stat; 100 on every mainstream Linux. */
  private static final double TICKS_PER_SECOND = 100.0;

  private final long postmasterPid;

  ProcCpu(long postmasterPid) {
    this.postmasterPid = postmasterPid;
  }

  boolean knowsPostgres() {
    return postmasterPid > 0;
  }

  /** A reading now; subtract two with {@link Snapshot#since(Snapshot)}. */
  Snapshot snapshot() {
    return new Snapshot(System.nanoTime(), javaCpuSeconds(), postgresCpuSeconds());
  }

  /**
   * @param javaCpu seconds of CPU used by this JVM
   * @param postgresCpu seconds of CPU used by the server, NaN when unknown
   */
  record Snapshot(long nanos, double javaCpu, double postgresCpu) {
    Usage since(Snapshot start) {
      double wall = (nanos - start.nanos) / 1e9;
      return new Usage(wall, javaCpu - start.javaCpu, postgresCpu - start.postgresCpu);
    }
  }

  /** CPU seconds over a wall-clock interval. */
  record Usage(double wallSeconds, double javaCpu, double postgresCpu) {
    /** E.g. {@code 1.8 s (95 %)}: seconds and the share of one core. */
    static String format(double cpu, double wall) {
      if (Double.isNaN(cpu)) {
        return "n/a";
      }
      return String.format("%.1f s (%.0f %%)", cpu, wall > 0 ? 100 * cpu / wall : 0);
    }

    String java() {
      return format(javaCpu, wallSeconds);
    }

    String postgres() {
      return format(postgresCpu, wallSeconds);
    }
  }

  private static double javaCpuSeconds() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime() / 1e9;
    }
    return Double.NaN;
  }

  private double postgresCpuSeconds() {
    if (postmasterPid <= 0) {
      return Double.NaN;
    }
    long ticks = 0;
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        long[] stat = stat(proc);
        if (stat == null) {
          continue;
        }
        long pid = Long.parseLong(proc.getFileName().toString());
        if (pid == postmasterPid) {
          // Exited backends were reaped by the postmaster: their time is in its cutime/cstime.
          ticks += stat[1] + stat[2] + stat[3] + stat[4];
        } else if (stat[0] == postmasterPid) {
          ticks += stat[1] + stat[2];
        }
      }
    } catch (IOException e) {
      return Double.NaN;
    }
    return ticks / TICKS_PER_SECOND;
  }

  /** The parent of {@code pid} when {@code pid} is a local postgres process, else -1. */
  static long parentOf(long pid) {
    Path proc = Path.of("/proc", Long.toString(pid));
    try {
      if (!Files.readString(proc.resolve("comm")).strip().startsWith("postgres")) {
        return -1;
      }
    } catch (IOException e) {
      return -1;
    }
    long[] stat = stat(proc);
    return stat == null ? -1 : stat[0];
  }

  /** ppid, utime, stime, cutime, cstime of one process, or null if it is gone. */
  private static long[] stat(Path proc) {
    String line;
    try {
      line = Files.readString(proc.resolve("stat"));
    } catch (IOException | RuntimeException e) {
      return null;
    }
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
    // f[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
    return new long[] {
      Long.parseLong(f[1]),
      Long.parseLong(f[11]),
      Long.parseLong(f[12]),
      Long.parseLong(f[13]),
      Long.parseLong(f[14])
    };
  }
}
