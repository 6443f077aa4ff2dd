package dev.conveyor.queue.maintenance;

import dev.conveyor.queue.Enqueued;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.Schedule;
import dev.conveyor.queue.jdbc.JobRepository;
import dev.conveyor.queue.jdbc.JobRepository.DueSchedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Enqueues the occurrences of recurring schedules. Every worker that declares a schedule runs this;
 * there is no leader. Each due schedule is handled in one transaction that locks its row ({@code
 * SKIP LOCKED}), enqueues the occurrence (unique key {@code cron:<name>:<epoch second>}) and moves
 * {@code next_run_at} on, so each occurrence is enqueued exactly once: a replica that comes second
 * finds the row locked or already advanced.
 */
public final class RecurringScheduler {

  private static final Logger log = LoggerFactory.getLogger(RecurringScheduler.class);

  /** How late an occurrence may be before {@link Schedule.MissedPolicy#SKIP} drops it. */
  static final Duration SKIP_GRACE = Duration.ofMinutes(1);

  /** Default time between checks for due schedules. */
  public static final Duration DEFAULT_TICK = Duration.ofMillis(250);

  private final Map<String, Schedule> schedules = new LinkedHashMap<>();
  private final JobRepository repository;
  private final JobQueue queue;
  private final TransactionTemplate transactions;
  private final PeriodicTask task;

  public RecurringScheduler(
      DataSource dataSource, JobQueue queue, List<Schedule> schedules, Duration tick) {
    for (Schedule schedule : schedules) {
      if (this.schedules.put(schedule.name(), schedule) != null) {
        throw new IllegalArgumentException("two schedules named " + schedule.name());
      }
    }
    this.repository = new JobRepository(dataSource, null);
    this.queue = queue;
    this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    this.task = new PeriodicTask("conveyor-scheduler", tick, this::fireDue);
  }

  /** Registers the schedules (keeping their stored next occurrence) and starts checking. */
  public void start() {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    for (Schedule schedule : schedules.values()) {
      ZonedDateTime next = schedule.next(now);
      if (next == null) {
        throw new IllegalArgumentException("schedule " + schedule.name() + " never fires");
      }
      repository.upsertSchedule(schedule, next.toInstant());
    }
    task.start();
  }

  public void stop() {
    task.stop();
  }

  /** Handles every due schedule once; returns how many occurrences were enqueued. */
  public int fireDue() {
    if (schedules.isEmpty()) {
      return 0;
    }
    Integer fired =
        transactions.execute(
            status -> {
              int count = 0;
              for (DueSchedule due : repository.lockDueSchedules(schedules.keySet())) {
                count += fire(schedules.get(due.name()), due);
              }
              return count;
            });
    return fired == null ? 0 : fired;
  }

  private int fire(Schedule schedule, DueSchedule due) {
    ZonedDateTime now = due.databaseNow().atZone(ZoneOffset.UTC);
    // Walk the occurrences that are due: normally one, more after downtime.
    Instant latest = due.nextRunAt();
    int missed = 0;
    ZonedDateTime cursor = due.nextRunAt().atZone(ZoneOffset.UTC);
    ZonedDateTime next;
    while ((next = schedule.next(cursor)) != null && !next.isAfter(now)) {
      latest = next.toInstant();
      cursor = next;
      missed++;
      if (missed > 100_000) {
        break; // a schedule down for ages: stop counting, the policy below still applies
      }
    }
    ZonedDateTime following = schedule.next(now);
    Instant nextRunAt = following == null ? Instant.MAX : following.toInstant();

    boolean late = Duration.between(latest, due.databaseNow()).compareTo(SKIP_GRACE) > 0;
    if (schedule.missedPolicy() == Schedule.MissedPolicy.SKIP && late) {
      log.warn("schedule {} skipped {} missed occurrences", schedule.name(), missed + 1);
      repository.advanceSchedule(schedule.name(), nextRunAt, null, null);
      return 0;
    }
    if (missed > 0) {
      log.warn(
          "schedule {} missed {} occurrences; running the latest once", schedule.name(), missed);
    }
    Enqueued enqueued =
        queue.enqueue(
            schedule
                .job()
                .withRunAt(latest)
                .withUniqueKey("cron:" + schedule.name() + ":" + latest.getEpochSecond()));
    repository.advanceSchedule(schedule.name(), nextRunAt, latest, enqueued.job().id());
    log.debug("schedule {} enqueued job {} for {}", schedule.name(), enqueued.job().id(), latest);
    return enqueued.duplicate() ? 0 : 1;
  }

  /** The schedule names this scheduler fires. */
  public List<String> names() {
    return List.copyOf(schedules.keySet());
  }

  @Nullable Schedule schedule(String name) {
    return schedules.get(name);
  }
}
