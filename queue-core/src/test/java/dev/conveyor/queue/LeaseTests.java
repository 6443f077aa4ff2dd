package dev.conveyor.queue;

import static dev.conveyor.queue.Handlers.handler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.conveyor.queue.jdbc.JobRepository;
import dev.conveyor.queue.maintenance.LeaseRescuer;
import dev.conveyor.queue.runtime.WorkerRuntime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LeaseTests extends QueueTestBase {

  @Nested
  class Rescue {

    @Test
    void aWorkerThatDiesHasItsJobRescuedAndFinishedByAnother() {
      CountDownLatch never = new CountDownLatch(1);
      List<String> ranOn = new CopyOnWriteArrayList<>();

      // Worker A claims the job and hangs in it; then its process "dies": every connection it
      // has is cut and its pool is gone, so it can neither heartbeat nor record anything.
      HikariDataSource poolA = db.newDataSource("doomed-worker", 4);
      start(
          WorkerRuntime.builder(poolA)
              .config(
                  testConfig(Map.of("default", 1))
                      .withWorkerId("doomed")
                      .withLease(Duration.ofSeconds(1), Duration.ofMillis(333)))
              .rescuer(null)
              .handler(
                  handler(
                      "report",
                      ctx -> {
                        ranOn.add("doomed");
                        never.await();
                      })));
      long id = queue.enqueue(JobRequest.of("report", "{}")).job().id();
      await().atMost(Duration.ofSeconds(10)).until(() -> ranOn.contains("doomed"));
      poolA.close();
      db.execute(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'doomed-worker'");

      // Worker B rescues it once A's lease runs out, and runs it to completion.
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 1)).withWorkerId("survivor"))
              .rescuer(new LeaseRescuer.Config(Duration.ofMillis(200), 100))
              .handler(handler("report", ctx -> ranOn.add("survivor"))));

      await().atMost(Duration.ofSeconds(15)).until(() -> job(id).state() == JobState.COMPLETED);
      Job done = job(id);
      assertThat(ranOn).containsExactly("doomed", "survivor");
      assertThat(done.attempt()).isEqualTo(2);
      assertThat(done.leaseOwner()).isEqualTo("survivor");
      assertThat(queue.errors(id))
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.attempt()).isEqualTo(1);
                assertThat(e.errorClass()).isEqualTo("LeaseExpired");
                assertThat(e.error()).contains("doomed");
              });
    }

    @Test
    void aRescuedJobOnItsLastAttemptIsDiscarded() {
      Job job = queue.enqueue(JobRequest.of("k", "{}").withMaxAttempts(1)).job();
      JobRepository repository = new JobRepository(dataSource, null);
      repository.claimAvailable("default", 1, "gone", Duration.ofMillis(1));
      JobRepository later = new JobRepository(dataSource, () -> Instant.now().plusSeconds(60));

      assertThat(later.rescueExpired(10))
          .singleElement()
          .satisfies(r -> assertThat(r.state()).isEqualTo(JobState.DISCARDED));
      assertThat(job(job.id()).state()).isEqualTo(JobState.DISCARDED);
      assertThat(queue.errors(job.id()))
          .extracting(JobError::errorClass)
          .containsExactly("LeaseExpired");
    }

    @Test
    void heartbeatsKeepALongJobAlive() {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch started = new CountDownLatch(1);
      start(
          WorkerRuntime.builder(dataSource)
              .config(
                  testConfig(Map.of("default", 1))
                      .withLease(Duration.ofMillis(600), Duration.ofMillis(200)))
              .rescuer(new LeaseRescuer.Config(Duration.ofMillis(100), 100))
              .handler(
                  handler(
                      "long",
                      ctx -> {
                        started.countDown();
                        release.await();
                      })));
      long id = queue.enqueue(JobRequest.of("long", "{}")).job().id();
      await().until(() -> started.getCount() == 0);
      Instant firstExpiry = job(id).leaseExpiresAt();

      // Several lease lengths pass; the lease keeps moving and the rescuer leaves it alone.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> job(id).leaseExpiresAt().isAfter(firstExpiry.plusMillis(1500)));
      assertThat(job(id).state()).isEqualTo(JobState.RUNNING);
      assertThat(job(id).attempt()).isEqualTo(1);
      release.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> job(id).state() == JobState.COMPLETED);
      assertThat(queue.errors(id)).isEmpty();
    }
  }

  @Nested
  class Fencing {

    @Test
    void aStaleWorkersLateCompletionIsRefused() throws Exception {
      CountDownLatch inHandler = new CountDownLatch(1);
      CountDownLatch finish = new CountDownLatch(1);
      List<java.util.UUID> tokensSeen = new CopyOnWriteArrayList<>();
      start(
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of("default", 1)).withWorkerId("stale"))
              .rescuer(null)
              .handler(
                  handler(
                      "fenced",
                      ctx -> {
                        tokensSeen.add(ctx.leaseToken());
                        inHandler.countDown();
                        finish.await();
                      })));
      long id = queue.enqueue(JobRequest.of("fenced", "{}")).job().id();
      assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();

      // Seen from a clock a minute ahead, the stale worker's lease has expired: rescue it.
      JobRepository ahead = new JobRepository(dataSource, () -> Instant.now().plusSeconds(60));
      assertThat(ahead.rescueExpired(10)).hasSize(1);
      assertThat(job(id).state()).isEqualTo(JobState.AVAILABLE);

      // The stale worker now finishes: its completion must not land.
      finish.countDown();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> job(id).leaseToken() != null && job(id).state() != JobState.RUNNING);
      // Give the stale completion every chance to be written, then check it was refused.
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(5))
          .until(() -> job(id).state() == JobState.AVAILABLE);
      assertThat(job(id).attempt()).isEqualTo(1);
      assertThat(count("state = 'completed'")).isZero();
    }

    /**
     * {@link JobContext#leaseToken()}: a receiver of an attempt's effects refuses those whose token
     * is not the job's. A rescued or released attempt may still be sending (a partitioned worker, a
     * handler interrupted at shutdown), so its token must stop being the job's at once, not only
     * when another worker claims the job.
     */
    @Test
    void aRescuedOrReleasedAttemptsTokenIsNoLongerTheJobs() {
      JobRepository repository = new JobRepository(dataSource, null);
      long rescuedId = queue.enqueue(JobRequest.of("k", "{}").withQueue("rescued")).job().id();
      Job expiring = repository.claimAvailable("rescued", 1, "w1", Duration.ofMillis(1)).getFirst();
      new JobRepository(dataSource, () -> Instant.now().plusSeconds(60)).rescueExpired(10);
      assertThat(job(rescuedId).state()).isEqualTo(JobState.AVAILABLE);
      assertThat(job(rescuedId).leaseToken()).isNotEqualTo(expiring.leaseToken());

      long releasedId = queue.enqueue(JobRequest.of("k", "{}").withQueue("released")).job().id();
      Job stopping =
          repository.claimAvailable("released", 1, "w2", Duration.ofSeconds(30)).getFirst();
      assertThat(
              repository.releaseMany(
                  new Long[] {releasedId}, new java.util.UUID[] {stopping.leaseToken()}))
          .containsExactly(releasedId);
      assertThat(job(releasedId).state()).isEqualTo(JobState.AVAILABLE);
      assertThat(job(releasedId).leaseToken()).isNotEqualTo(stopping.leaseToken());
    }

    @Test
    void writesOfASupersededAttemptChangeNothing() {
      queue.enqueue(JobRequest.of("k", "{}"));
      JobRepository repository = new JobRepository(dataSource, null);
      Job first = repository.claimAvailable("default", 1, "w1", Duration.ofMillis(1)).getFirst();
      JobRepository ahead = new JobRepository(dataSource, () -> Instant.now().plusSeconds(60));
      ahead.rescueExpired(10);
      Job second = ahead.claimAvailable("default", 1, "w2", Duration.ofSeconds(30)).getFirst();
      assertThat(second.leaseToken()).isNotEqualTo(first.leaseToken());

      assertThat(
              repository.completeMany(
                  new Long[] {first.id()}, new java.util.UUID[] {first.leaseToken()}))
          .isEmpty();
      assertThat(
              repository.recordFailure(
                  first.id(), first.leaseToken(), true, Duration.ZERO, "late", "X"))
          .isEmpty();
      assertThat(repository.updateProgress(first.id(), first.leaseToken(), 50)).isFalse();
      assertThat(repository.recordSnooze(first.id(), first.leaseToken(), Duration.ZERO)).isEmpty();
      assertThat(repository.recordCancelled(first.id(), first.leaseToken())).isFalse();
      assertThat(
              repository.releaseMany(
                  new Long[] {first.id()}, new java.util.UUID[] {first.leaseToken()}))
          .isEmpty();
      assertThat(
              repository.extendLeases(
                  new Long[] {first.id()},
                  new java.util.UUID[] {first.leaseToken()},
                  Duration.ofMinutes(5)))
          .isEmpty();

      Job now = job(second.id());
      assertThat(now.state()).isEqualTo(JobState.RUNNING);
      assertThat(now.leaseOwner()).isEqualTo("w2");
      assertThat(now.progress()).isZero();
      assertThat(
              repository.completeMany(
                  new Long[] {second.id()}, new java.util.UUID[] {second.leaseToken()}))
          .containsExactly(second.id());
    }
  }

  @Nested
  class Heartbeat {

    @Test
    void aWorkerWhoseHeartbeatsStallStopsTreatingTheJobAsItsOwnBeforeTheLeaseExpires()
        throws Exception {
      CountDownLatch started = new CountDownLatch(1);
      AtomicReference<Instant> toldAt = new AtomicReference<>();
      AtomicReference<RuntimeException> thrown = new AtomicReference<>();
      RetryPolicy muchLater = new ExponentialBackoff(Duration.ofHours(1), Duration.ofHours(1), 0);
      start(
          WorkerRuntime.builder(dataSource)
              .config(
                  testConfig(Map.of("default", 1))
                      .withLease(Duration.ofSeconds(3), Duration.ofSeconds(1)))
              .rescuer(null)
              .handler(
                  handler(
                      "stalled",
                      muchLater,
                      ctx -> {
                        started.countDown();
                        while (!ctx.isCancellationRequested()) {
                          LockSupport.parkNanos(5_000_000);
                        }
                        toldAt.set(Instant.now());
                        try {
                          ctx.throwIfCancellationRequested();
                        } catch (RuntimeException e) {
                          thrown.set(e);
                          throw e;
                        }
                      })));
      long id = queue.enqueue(JobRequest.of("stalled", "{}")).job().id();
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

      // Another transaction holds the job's row, so every heartbeat now hangs (as it would on a
      // dead network) and the lease runs out in the database.
      try (Connection blocker = dataSource.getConnection()) {
        blocker.setAutoCommit(false);
        Instant expiresAt;
        try (PreparedStatement s =
            blocker.prepareStatement(
                "SELECT lease_expires_at FROM conveyor.queue_job WHERE id = ? FOR UPDATE")) {
          s.setLong(1, id);
          try (ResultSet rs = s.executeQuery()) {
            assertThat(rs.next()).isTrue();
            expiresAt = rs.getObject(1, OffsetDateTime.class).toInstant();
          }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> toldAt.get() != null);
        assertThat(toldAt.get()).as("told before the lease ran out").isBefore(expiresAt);
        // Nobody cancelled the job: a handler must not report a cancellation (another attempt may
        // own the job by now), so the check says what happened.
        assertThat(thrown.get()).isInstanceOf(LeaseLostException.class);
        blocker.rollback();
      }

      // The database never took the job back: the attempt that gave it up is a failed attempt to
      // retry, not a cancellation nobody asked for.
      await().atMost(Duration.ofSeconds(10)).until(() -> job(id).state() != JobState.RUNNING);
      Job after = job(id);
      assertThat(after.state()).isEqualTo(JobState.AVAILABLE);
      assertThat(after.cancelRequested()).isFalse();
      assertThat(queue.errors(id))
          .singleElement()
          .satisfies(e -> assertThat(e.errorClass()).isEqualTo(LeaseLostException.class.getName()));
    }
  }
}
