package dev.conveyor.queue;

import static dev.conveyor.queue.Handlers.handler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.conveyor.queue.QueueControl.QueueLimits;
import dev.conveyor.queue.runtime.WorkerRuntime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class QueueControlTests extends QueueTestBase {

  private static final String QUEUE = "limited";

  /** Simulated work: the handler holds its slot for a while. */
  private static void work(long millis) {
    LockSupport.parkNanos(Duration.ofMillis(millis).toNanos());
  }

  private void startRuntimes(int count, int concurrency, JobHandler... handlers) {
    for (int i = 0; i < count; i++) {
      WorkerRuntime.Builder builder =
          WorkerRuntime.builder(dataSource)
              .config(testConfig(Map.of(QUEUE, concurrency)).withWorkerId("runtime-" + i));
      for (JobHandler h : handlers) {
        builder.handler(h);
      }
      start(builder);
    }
  }

  private List<Long> enqueue(int n, String kind) {
    List<JobRequest> requests = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      requests.add(JobRequest.of(kind, "{}").withQueue(QUEUE));
    }
    return queue.enqueueAll(requests).stream().map(e -> e.job().id()).toList();
  }

  /** Samples a count from the database every few milliseconds and keeps the maximum. */
  private final class Sampler implements AutoCloseable {
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger max = new AtomicInteger();
    private final AtomicInteger samples = new AtomicInteger();

    Sampler(String sql) {
      executor.scheduleWithFixedDelay(
          () -> {
            int n = jdbc.sql(sql).query(Integer.class).single();
            max.accumulateAndGet(n, Math::max);
            samples.incrementAndGet();
          },
          0,
          3,
          TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
      executor.shutdownNow();
    }
  }

  @Nested
  class GlobalConcurrency {

    @Test
    void threeRuntimesNeverRunMoreThanTheQueueLimit() {
      queue.setLimits(QUEUE, QueueLimits.maxRunning(2));
      AtomicInteger inHandlers = new AtomicInteger();
      AtomicInteger maxInHandlers = new AtomicInteger();
      startRuntimes(
          3,
          4,
          handler(
              "heavy",
              ctx -> {
                maxInHandlers.accumulateAndGet(inHandlers.incrementAndGet(), Math::max);
                work(30);
                inHandlers.decrementAndGet();
              }));
      List<Long> ids = enqueue(30, "heavy");

      try (Sampler running =
          (new Sampler(
              "SELECT count(*) FROM conveyor.queue_job WHERE state = 'running' AND queue = 'limited'"))) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> count("state = 'completed'") == ids.size());
        assertThat(running.samples.get()).isGreaterThan(50);
        assertThat(running.max.get()).isEqualTo(2);
      }
      assertThat(maxInHandlers.get()).isLessThanOrEqualTo(2);
    }

    @Test
    void perKeyLimitHoldsForEachKey() {
      queue.setLimits(QUEUE, new QueueLimits(null, 1, null, null));
      Map<String, AtomicInteger> inHandler = new ConcurrentHashMap<>();
      Map<String, AtomicInteger> maxInHandler = new ConcurrentHashMap<>();
      AtomicInteger bothAtOnce = new AtomicInteger();
      startRuntimes(
          3,
          4,
          handler(
              "per.client",
              ctx -> {
                String key = ctx.job().partitionKey();
                int now =
                    inHandler.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                maxInHandler
                    .computeIfAbsent(key, k -> new AtomicInteger())
                    .accumulateAndGet(now, Math::max);
                if (inHandler.values().stream().mapToInt(AtomicInteger::get).sum() == 2) {
                  bothAtOnce.incrementAndGet();
                }
                work(20);
                inHandler.get(key).decrementAndGet();
              }));
      List<JobRequest> requests = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        requests.add(
            JobRequest.of("per.client", "{}").withQueue(QUEUE).withPartitionKey("client-a"));
        requests.add(
            JobRequest.of("per.client", "{}").withQueue(QUEUE).withPartitionKey("client-b"));
      }
      queue.enqueueAll(requests);

      try (Sampler perKey =
          (new Sampler(
              "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM conveyor.queue_job"
                  + " WHERE state = 'running' AND queue = 'limited' GROUP BY partition_key) k"))) {
        await().atMost(Duration.ofSeconds(30)).until(() -> count("state = 'completed'") == 20);
        assertThat(perKey.max.get()).isEqualTo(1);
      }
      assertThat(maxInHandler.values()).allMatch(m -> m.get() == 1);
      assertThat(bothAtOnce.get()).as("the two clients ran side by side").isPositive();
    }

    @Test
    void limitsAreValidated() {
      assertThatThrownBy(() -> QueueLimits.maxRunning(0)).hasMessageContaining("maxRunning");
      assertThatThrownBy(() -> new QueueLimits(null, null, 5, null))
          .hasMessageContaining("together");
    }
  }

  @Nested
  class RateLimit {

    @Test
    void tenPerSecondNeverStartsMoreThanTenInAnyOneSecondWindow() {
      queue.setLimits(QUEUE, new QueueLimits(null, null, 10, Duration.ofSeconds(1)));
      startRuntimes(3, 8, handler("send", ctx -> {}));
      List<Long> ids = enqueue(35, "send");

      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> count("state = 'completed'") == ids.size());
      List<Instant> starts =
          jdbc.sql(
                  "SELECT started_at FROM conveyor.queue_job WHERE queue = 'limited' ORDER BY started_at")
              .query((rs, i) -> rs.getObject(1, java.time.OffsetDateTime.class).toInstant())
              .list();
      assertThat(starts).hasSize(35);
      for (Instant start : starts) {
        Instant windowEnd = start.plusSeconds(1);
        long inWindow =
            starts.stream().filter(t -> !t.isBefore(start) && t.isBefore(windowEnd)).count();
        assertThat(inWindow).as("starts in the second from %s", start).isLessThanOrEqualTo(10);
      }
      assertThat(Duration.between(starts.getFirst(), starts.getLast()))
          .as("35 starts at 10/s need more than 3 s")
          .isGreaterThan(Duration.ofSeconds(3));
    }
  }

  @Nested
  class Pause {

    @Test
    void pauseStopsClaimsOnEveryRuntimeAndResumeRestartsThem() {
      startRuntimes(3, 2, handler("paused.work", ctx -> {}));
      awaitListening();
      queue.pause(QUEUE);
      assertThat(queue.controls())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.paused()).isTrue();
                assertThat(c.pausedUntil()).isEqualTo(Instant.MAX);
              });
      List<Long> ids = enqueue(6, "paused.work");

      await()
          .during(Duration.ofMillis(1500))
          .atMost(Duration.ofSeconds(3))
          .until(() -> count("state <> 'available'") == 0);

      Instant resumed = Instant.now();
      assertThat(queue.resume(QUEUE)).isTrue();
      await().atMost(Duration.ofSeconds(3)).until(() -> count("state = 'completed'") == ids.size());
      assertThat(Duration.between(resumed, Instant.now())).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aHandlersPauseUntilKeepsTheQueueIdleUntilThen() {
      AtomicInteger floods = new AtomicInteger();
      Map<Long, Instant> started = new ConcurrentHashMap<>();
      startRuntimes(
          2,
          2,
          handler(
              "campaign",
              ctx -> {
                started.putIfAbsent(ctx.jobId(), Instant.now());
                if (floods.getAndIncrement() == 0) {
                  Instant until = Instant.now().plusMillis(1500);
                  ctx.pauseQueueUntil(until);
                  throw JobFailure.snooze(Duration.ofMillis(1500));
                }
              }));
      long first = enqueue(1, "campaign").getFirst();
      await().atMost(Duration.ofSeconds(5)).until(() -> floods.get() == 1);
      Instant pausedAt = Instant.now();
      List<Long> rest = enqueue(4, "campaign");

      await().atMost(Duration.ofSeconds(10)).until(() -> count("state = 'completed'") == 5);
      for (long id : rest) {
        assertThat(Duration.between(pausedAt, started.get(id)))
            .as("job %d waited out the pause", id)
            .isGreaterThan(Duration.ofMillis(1200));
      }
      assertThat(job(first).attempt()).as("the snooze spent no attempt").isEqualTo(1);
    }
  }

  @Nested
  class Recurring {

    @Test
    void aCronScheduleFiringEverySecondWithThreeRuntimesEnqueuesEachOccurrenceOnce() {
      Schedule everySecond =
          Schedule.of("tick", "* * * * * *", JobRequest.of("tick", "{}").withQueue(QUEUE));
      for (int i = 0; i < 3; i++) {
        start(
            WorkerRuntime.builder(dataSource)
                .config(testConfig(Map.of(QUEUE, 2)).withWorkerId("cron-" + i))
                .schedule(everySecond)
                .handler(handler("tick", ctx -> {})));
      }
      Instant began = Instant.now();
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () ->
                  Duration.between(began, Instant.now()).toSeconds() >= 10
                      && count("kind = 'tick'") >= 9);

      List<Map<String, Object>> perOccurrence =
          jdbc.sql(
                  "SELECT run_at, count(*) AS n FROM conveyor.queue_job WHERE kind = 'tick' GROUP BY run_at")
              .query()
              .listOfRows();
      assertThat(perOccurrence).hasSizeGreaterThanOrEqualTo(9);
      assertThat(perOccurrence)
          .allSatisfy(row -> assertThat(((Number) row.get("n")).longValue()).isOne());
      assertThat(queue.schedules())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.name()).isEqualTo("tick");
                assertThat(s.nextRunAt()).isAfter(s.lastRunAt());
                assertThat(s.lastJobId()).isNotNull();
              });
    }

    @Test
    void afterDowntimeRunOnceEnqueuesTheLatestMissedOccurrenceOnceAndSkipEnqueuesNone() {
      Schedule hourly = Schedule.of("hourly", "0 0 * * * *", JobRequest.of("h", "{}"));
      Schedule skipped =
          Schedule.of("skipped", "0 0 * * * *", JobRequest.of("s", "{}"))
              .withMissedPolicy(Schedule.MissedPolicy.SKIP);
      var scheduler =
          new dev.conveyor.queue.maintenance.RecurringScheduler(
              dataSource, queue, List.of(hourly, skipped), Duration.ofMinutes(1));
      scheduler.start();
      scheduler.stop();
      // Nobody ran for five hours.
      db.execute(
          "UPDATE conveyor.recurring_schedule SET next_run_at = date_trunc('hour', now()) - interval '5 hours'");

      assertThat(scheduler.fireDue()).isOne();
      assertThat(scheduler.fireDue()).as("the occurrence is not enqueued again").isZero();

      List<Job> jobs = queue.list(JobState.AVAILABLE, null, Long.MAX_VALUE, 10);
      assertThat(jobs)
          .singleElement()
          .satisfies(
              j -> {
                assertThat(j.kind()).isEqualTo("h");
                assertThat(j.runAt())
                    .isEqualTo(
                        jdbc.sql("SELECT date_trunc('hour', now())")
                            .query(
                                (rs, i) ->
                                    rs.getObject(1, java.time.OffsetDateTime.class).toInstant())
                            .single());
              });
      assertThat(queue.schedules())
          .allSatisfy(s -> assertThat(s.nextRunAt()).isAfter(Instant.now()));
    }

    @Test
    void aDailyTimeThatTheSpringForwardGapSkipsStillRunsThatDayOnce() {
      // In Berlin the clocks jump from 02:00 to 03:00 on 2024-03-31: 02:30 does not exist then.
      ZoneId berlin = ZoneId.of("Europe/Berlin");
      Schedule daily =
          Schedule.of("nightly", "0 30 2 * * *", JobRequest.of("k", "{}")).withZone(berlin);

      ZonedDateTime gapDay = daily.next(ZonedDateTime.of(2024, 3, 30, 12, 0, 0, 0, berlin));
      assertThat(gapDay).isEqualTo(ZonedDateTime.of(2024, 3, 31, 3, 30, 0, 0, berlin));
      assertThat(daily.next(gapDay)).isEqualTo(ZonedDateTime.of(2024, 4, 1, 2, 30, 0, 0, berlin));

      // Schedules whose times all exist are not moved: an hourly one goes straight from 01:00 to
      // 03:00 (02:00 does not exist), without a second run at 03:00.
      Schedule hourly =
          Schedule.of("hourly", "0 0 * * * *", JobRequest.of("k", "{}")).withZone(berlin);
      ZonedDateTime beforeGap = ZonedDateTime.of(2024, 3, 31, 1, 0, 0, 0, berlin);
      ZonedDateTime afterGap = hourly.next(beforeGap);
      assertThat(afterGap).isEqualTo(ZonedDateTime.of(2024, 3, 31, 3, 0, 0, 0, berlin));
      assertThat(hourly.next(afterGap))
          .isEqualTo(ZonedDateTime.of(2024, 3, 31, 4, 0, 0, 0, berlin));
    }

    @Test
    void cronAcceptsFiveFieldsAndRejectsNonsense() {
      assertThat(Schedule.of("daily", "0 6 * * MON-FRI", JobRequest.of("k", "{}")).cron())
          .isEqualTo("0 0 6 * * MON-FRI");
      assertThatThrownBy(() -> Schedule.of("bad", "every day", JobRequest.of("k", "{}")))
          .hasMessageContaining("invalid cron expression");
    }
  }
}
