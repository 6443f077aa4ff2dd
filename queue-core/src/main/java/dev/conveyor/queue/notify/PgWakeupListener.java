package dev.conveyor.queue.notify;

import dev.conveyor.queue.QueueMetrics;
import dev.conveyor.queue.runtime.Backoff;
import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.PGStream;
import org.postgresql.core.QueryExecutorBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one dedicated connection that LISTENs on {@value #JOB_CHANNEL} (payload: a queue with a new
 * runnable job) and {@value #CANCEL_CHANNEL} (payload: a job id whose cancellation was requested),
 * and passes them on as they arrive.
 *
 * <p>A lost connection (server restart, {@code pg_terminate_backend}, network) is re-established
 * with a short backoff, and after every (re)connect everyone is woken, because notifications sent
 * while nobody listened are gone. The listener never stops the worker: until it is back, workers
 * fall back to polling.
 *
 * <p>The connection must not go through a transaction pooler (PgBouncer in transaction mode, Neon's
 * pooler): LISTEN needs a session. Give it a direct URL in that case.
 */
public final class PgWakeupListener {

  public static final String JOB_CHANNEL = "conveyor_job";
  public static final String CANCEL_CHANNEL = "conveyor_job_cancel";
  public static final String CONTROL_CHANNEL = "conveyor_control";

  private static final Logger log = LoggerFactory.getLogger(PgWakeupListener.class);
  private static final int POLL_MILLIS = 500;
  private static final long VALIDATE_NANOS = Duration.ofSeconds(30).toNanos();

  /** Opens a new connection for listening (not one from the pool of a transaction pooler). */
  @FunctionalInterface
  public interface ConnectionSource {
    Connection open() throws SQLException;
  }

  /**
   * Receives the hints; called on the listener thread, so it must return quickly (a wake-up may
   * claim on it: one statement, which saves the hand-off to another thread).
   */
  public interface Receiver {
    void wake(String queue);

    void cancelRequested(long jobId);

    /** A queue's pause or limits changed. */
    void controlChanged(String queue);

    /** Connected again after a gap: anything may have been missed. */
    void wakeAll();
  }

  private final ConnectionSource source;
  private final Receiver receiver;
  private final QueueMetrics metrics;
  private final Backoff backoff = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(5));

  private volatile boolean running;
  private volatile boolean connected;
  private @Nullable Thread thread;

  public PgWakeupListener(ConnectionSource source, Receiver receiver, QueueMetrics metrics) {
    this.source = source;
    this.receiver = receiver;
    this.metrics = metrics;
  }

  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    thread = new Thread(this::loop, "conveyor-listener");
    thread.setDaemon(true);
    thread.start();
  }

  public synchronized void stop() {
    running = false;
    Thread t = thread;
    if (t == null) {
      return;
    }
    t.interrupt();
    try {
      t.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread = null;
  }

  /** True while the LISTEN connection is up. */
  public boolean isConnected() {
    return connected;
  }

  private void loop() {
    boolean everConnected = false;
    while (running) {
      try (Connection c = source.open()) {
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + JOB_CHANNEL);
          s.execute("LISTEN " + CANCEL_CHANNEL);
          s.execute("LISTEN " + CONTROL_CHANNEL);
        }
        connected = true;
        backoff.reset();
        if (everConnected) {
          metrics.listenerReconnected();
          log.info("LISTEN connection re-established; waking all queues");
        }
        everConnected = true;
        skipBlockingPeek(c);
        receiver.wakeAll();
        try {
          listen(c.unwrap(PGConnection.class), c);
        } finally {
          unlistenQuietly(c);
        }
      } catch (SQLException | RuntimeException e) {
        if (running) {
          log.error("LISTEN connection lost; reconnecting (workers poll meanwhile)", e);
        }
      } finally {
        connected = false;
      }
      if (running) {
        pause(backoff.next());
      }
    }
  }

  private void listen(PGConnection pg, Connection c) throws SQLException {
    long lastValidated = System.nanoTime();
    while (running) {
      PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
      if (notifications != null && notifications.length > 0) {
        for (PGNotification n : notifications) {
          dispatch(n);
        }
        lastValidated = System.nanoTime();
      } else if (System.nanoTime() - lastValidated > VALIDATE_NANOS) {
        // A half-open TCP connection can stay silent forever; make the server answer.
        if (!c.isValid(5)) {
          throw new SQLException("LISTEN connection failed validation", "08006");
        }
        lastValidated = System.nanoTime();
      }
    }
  }

  /**
   * pgjdbc's {@code getNotifications(timeout)}, once it has read a notification, asks whether
   * another message is pending with a blocking read of up to 1 ms ({@code
   * PGStream.hasMessagePending}), and when that read times out it does not arm the once-a-second
   * throttle meant to spare it: so every wake-up paid about 1 ms before this listener saw it
   * (docs/benchmarks.md, "Pickup latency"; pgjdbc issues 1313 and 1547). Arming that throttle for
   * good leaves only the non-blocking check ({@code available()}): notifications that arrived in
   * the same read still come together, and later ones wake the next {@code getNotifications}, whose
   * own wait is a blocking read. Reflection on pgjdbc's internals, so it may stop working with a
   * later driver: then the listener works as before, 1 ms slower.
   */
  private static void skipBlockingPeek(Connection c) {
    try {
      Object executor = c.unwrap(BaseConnection.class).getQueryExecutor();
      Field streamField = QueryExecutorBase.class.getDeclaredField("pgStream");
      streamField.setAccessible(true);
      Object stream = streamField.get(executor);
      Field next = PGStream.class.getDeclaredField("nextStreamAvailableCheckTime");
      next.setAccessible(true);
      next.setLong(stream, Long.MAX_VALUE);
    } catch (ReflectiveOperationException | SQLException | RuntimeException | LinkageError e) {
      log.debug("pgjdbc's notification peek stays as it is (about 1 ms per wake-up)", e);
    }
  }

  /**
   * A connection borrowed from a pool goes back to it: it must not keep listening there, where
   * nobody reads the notifications.
   */
  private static void unlistenQuietly(Connection c) {
    try (Statement s = c.createStatement()) {
      s.execute("UNLISTEN *");
    } catch (SQLException e) {
      log.debug("UNLISTEN failed; the connection is probably gone", e);
    }
  }

  private void dispatch(PGNotification n) {
    switch (n.getName()) {
      case JOB_CHANNEL -> receiver.wake(n.getParameter());
      case CANCEL_CHANNEL -> {
        try {
          receiver.cancelRequested(Long.parseLong(n.getParameter()));
        } catch (NumberFormatException e) {
          log.debug("ignoring malformed cancel notification '{}'", n.getParameter());
        }
      }
      case CONTROL_CHANNEL -> receiver.controlChanged(n.getParameter());
      default -> log.debug("ignoring notification on channel {}", n.getName());
    }
  }

  private void pause(Duration delay) {
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }
}
