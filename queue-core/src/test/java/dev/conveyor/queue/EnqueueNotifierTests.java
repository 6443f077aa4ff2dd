package dev.conveyor.queue;

import static dev.conveyor.queue.Handlers.handler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.queue.notify.EnqueueNotifier;
import dev.conveyor.queue.notify.PgWakeupListener;
import dev.conveyor.queue.runtime.WorkerRuntime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Enqueues through a {@link JobQueue} whose wake-ups are coalesced by an {@link EnqueueNotifier}.
 */
class EnqueueNotifierTests extends QueueTestBase {

  private final TransactionTemplate tx =
      new TransactionTemplate(new DataSourceTransactionManager(dataSource));

  private JobQueue coalescing(Duration interval) {
    EnqueueNotifier notifier = closeAfter(new EnqueueNotifier(dataSource, interval));
    return new JobQueue(dataSource, QueueMetrics.simple(), null, notifier);
  }

  @Test
  void withATenSecondPollAWorkerStartsEachJobEnqueuedInItsOwnTransactionWithinSeconds() {
    JobQueue coalesced = coalescing(Duration.ofMillis(50));
    Map<Long, Instant> started = new ConcurrentHashMap<>();
    start(
        WorkerRuntime.builder(dataSource)
            .config(testConfig(Map.of("default", 4)).withPollInterval(Duration.ofSeconds(10)))
            .handler(handler("ping", ctx -> started.put(ctx.jobId(), Instant.now()))));
    awaitListening();

    // A burst (most notifications coalesced), then single jobs after quiet periods (each one
    // notified at once): without a notification after each commit, a job would wait for the
    // ten-second poll.
    List<Long> burst = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      burst.add(tx.execute(s -> coalesced.enqueue(JobRequest.of("ping", "{}")).job().id()));
    }
    await().atMost(Duration.ofSeconds(3)).until(() -> started.keySet().containsAll(burst));
    for (int i = 0; i < 3; i++) {
      long id = tx.execute(s -> coalesced.enqueue(JobRequest.of("ping", "{}")).job().id());
      await().atMost(Duration.ofSeconds(3)).until(() -> started.containsKey(id));
    }
  }

  @Test
  void enqueuesWithinTheIntervalShareOneNotificationSentAfterTheirCommits() throws Exception {
    JobQueue coalesced = coalescing(Duration.ofSeconds(1));
    try (Listener listener = new Listener()) {
      tx.executeWithoutResult(s -> coalesced.enqueue(JobRequest.of("ping", "{}")));
      await().atMost(Duration.ofSeconds(5)).until(() -> listener.received().size() == 1);

      // Committed after the first notification arrived, within its interval: sending nothing now
      // (leading edge only) would leave these jobs to the poll.
      for (int i = 0; i < 19; i++) {
        tx.executeWithoutResult(s -> coalesced.enqueue(JobRequest.of("ping", "{}")));
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> listener.received().size() >= 2);
      assertThat(listener.received()).allMatch(n -> n.queue().equals("default"));
      assertThat(listener.received().size()).isLessThanOrEqualTo(5);
    }
  }

  @Test
  void rolledBackAndDelayedEnqueuesWakeNobody() throws Exception {
    JobQueue coalesced = coalescing(Duration.ZERO);
    try (Listener listener = new Listener()) {
      tx.executeWithoutResult(
          s -> {
            coalesced.enqueue(JobRequest.of("ping", "{}").withQueue("rolled-back"));
            s.setRollbackOnly();
          });
      tx.executeWithoutResult(
          s ->
              coalesced.enqueue(
                  JobRequest.of("ping", "{}")
                      .withQueue("delayed")
                      .withRunAt(Instant.now().plusSeconds(60))));
      tx.executeWithoutResult(
          s -> coalesced.enqueue(JobRequest.of("ping", "{}").withQueue("runnable")));

      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> listener.received().stream().anyMatch(n -> n.queue().equals("runnable")));
      assertThat(listener.received()).extracting(Notification::queue).containsOnly("runnable");
      assertThat(count("queue = 'rolled-back'")).isZero();
      assertThat(count("queue = 'delayed'")).isOne();
    }
  }

  @Test
  void outsideATransactionTheNotificationFollowsTheAutocommittedInsert() throws Exception {
    JobQueue coalesced = coalescing(Duration.ofMillis(10));
    try (Listener listener = new Listener()) {
      coalesced.enqueueAll(
          List.of(
              JobRequest.of("ping", "{}").withQueue("a"),
              JobRequest.of("ping", "{}").withQueue("b")));
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  listener.received().stream()
                      .map(Notification::queue)
                      .collect(java.util.stream.Collectors.toSet())
                      .equals(Set.of("a", "b")));
    }
  }

  record Notification(String queue, Instant at) {}

  /** A LISTEN connection of the test's own, read with a short timeout on each call. */
  private static final class Listener implements AutoCloseable {
    private final Connection connection;
    private final List<Notification> seen = new ArrayList<>();

    Listener() throws SQLException {
      connection = DriverManager.getConnection(db.url(), db.user(), db.password());
      try (Statement s = connection.createStatement()) {
        s.execute("LISTEN " + PgWakeupListener.JOB_CHANNEL);
      }
    }

    List<Notification> received() throws SQLException {
      PGNotification[] batch = connection.unwrap(PGConnection.class).getNotifications(100);
      Instant now = Instant.now();
      if (batch != null) {
        for (PGNotification n : batch) {
          seen.add(new Notification(n.getParameter(), now));
        }
      }
      return List.copyOf(seen);
    }

    @Override
    public void close() throws SQLException {
      connection.close();
    }
  }
}
