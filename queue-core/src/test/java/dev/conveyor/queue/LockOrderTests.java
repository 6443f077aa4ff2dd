package dev.conveyor.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.queue.jdbc.JobRepository;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Batched writes lock their rows in one order (id), so two batches over the same running jobs wait
 * for each other instead of deadlocking, whatever order their ids arrive in.
 */
class LockOrderTests extends QueueTestBase {

  private static final int JOBS = 400;
  private static final int ROUNDS = 10;

  private final JobRepository repository = new JobRepository(dataSource, null);
  private final ExecutorService threads = Executors.newFixedThreadPool(2);

  @AfterEach
  void stopThreads() {
    threads.shutdownNow();
  }

  @Nested
  class OppositeOrders {

    @Test
    void aHeartbeatAndACompletionOfTheSameJobsDoNotDeadlock() throws Exception {
      race(
          (ids, tokens) -> repository.extendLeases(ids, tokens, Duration.ofMinutes(1)),
          (ids, tokens) -> repository.completeMany(ids, tokens),
          "state = 'completed'");
    }

    @Test
    void aHeartbeatAndAReleaseOfTheSameJobsDoNotDeadlock() throws Exception {
      race(
          (ids, tokens) -> repository.extendLeases(ids, tokens, Duration.ofMinutes(1)),
          (ids, tokens) -> repository.releaseMany(ids, tokens),
          "state = 'available'");
    }
  }

  /**
   * Round after round, claims {@value #JOBS} jobs and runs {@code ascending} over them with ids
   * ascending and {@code descending} with ids descending, on two connections released together.
   * Before the lock order was fixed, most runs saw PostgreSQL abort one of the two with a deadlock
   * (SQLSTATE 40P01).
   */
  private void race(
      BiConsumer<Long[], UUID[]> ascending,
      BiConsumer<Long[], UUID[]> descending,
      String afterwards)
      throws Exception {
    List<String> deadlocks = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      db.truncateQueue();
      List<JobRequest> requests = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        requests.add(JobRequest.of("race", "{}"));
      }
      queue.enqueueAll(requests);
      List<Job> claimed =
          new ArrayList<>(
              repository.claimAvailable("default", JOBS, "racer", Duration.ofMinutes(1)));
      assertThat(claimed).hasSize(JOBS);
      claimed.sort(Comparator.comparingLong(Job::id));
      Long[] upIds = claimed.stream().map(Job::id).toArray(Long[]::new);
      UUID[] upTokens = claimed.stream().map(Job::leaseToken).toArray(UUID[]::new);
      Long[] downIds = reversed(upIds);
      UUID[] downTokens = reversed(upTokens);

      CyclicBarrier together = new CyclicBarrier(2);
      Future<?> up =
          threads.submit(
              () -> {
                together.await(10, TimeUnit.SECONDS);
                ascending.accept(upIds, upTokens);
                return null;
              });
      Future<?> down =
          threads.submit(
              () -> {
                together.await(10, TimeUnit.SECONDS);
                descending.accept(downIds, downTokens);
                return null;
              });
      for (Future<?> side : List.of(up, down)) {
        try {
          side.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          if (!"40P01".equals(sqlState(e.getCause()))) {
            throw e;
          }
          deadlocks.add("round " + round + ": " + e.getCause().getMessage());
        }
      }
      if (deadlocks.isEmpty()) {
        assertThat(count(afterwards)).as("round %d", round).isEqualTo(JOBS);
      }
    }
    assertThat(deadlocks).isEmpty();
  }

  private static String sqlState(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        return sql.getSQLState();
      }
    }
    return null;
  }

  private static <T> T[] reversed(T[] values) {
    T[] copy = Arrays.copyOf(values, values.length);
    for (int i = 0, j = copy.length - 1; i < j; i++, j--) {
      T swap = copy[i];
      copy[i] = copy[j];
      copy[j] = swap;
    }
    return copy;
  }
}
