package dev.conveyor.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Diagnostics for the latency run: a LISTEN connection of the benchmark's own that notes when each
 * {@code conveyor_job} notification for one queue reaches this JVM, so that "insert to claim" can
 * be split into "insert, commit and NOTIFY delivery" and "the runtime's wake-up and claim". It sees
 * the notification at about the moment the runtime's own listener does.
 */
final class NotifyProbe implements AutoCloseable {

  private final Connection connection;
  private final String queue;
  private final ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean running = true;

  NotifyProbe(BenchDatabase db, String queue) throws SQLException {
    this.queue = queue;
    this.connection = DriverManager.getConnection(db.url(), db.user(), db.password());
    connection.setAutoCommit(true);
    try (Statement s = connection.createStatement()) {
      s.execute("LISTEN conveyor_job");
    }
    this.thread = Thread.ofPlatform().daemon().name("bench-notify-probe").start(this::loop);
  }

  private void loop() {
    try {
      PGConnection pg = connection.unwrap(PGConnection.class);
      while (running) {
        PGNotification[] notifications = pg.getNotifications(200);
        long now = LatencyProducer.epochMicros();
        if (notifications != null) {
          for (PGNotification n : notifications) {
            if (queue.equals(n.getParameter())) {
              arrivals.add(now);
            }
          }
        }
      }
    } catch (SQLException e) {
      if (running) {
        System.err.println("[bench] notify probe failed: " + e);
      }
    }
  }

  /** Arrival times in epoch microseconds, ascending. */
  long[] arrivals() {
    long[] times = arrivals.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(times);
    return times;
  }

  /** The first arrival at or after {@code micros}, or -1. */
  static long firstAtOrAfter(long[] sorted, long micros) {
    int i = Arrays.binarySearch(sorted, micros);
    if (i < 0) {
      i = -i - 1;
    }
    return i < sorted.length ? sorted[i] : -1;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(1_000);
    try {
      connection.close();
    } catch (SQLException e) {
      // closing a diagnostics connection
    }
  }
}
