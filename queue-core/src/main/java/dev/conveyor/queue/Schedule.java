package dev.conveyor.queue;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.scheduling.support.CronExpression;

/**
 * A recurring job: each occurrence of {@code cron} enqueues {@code job} exactly once, however many
 * workers declare the same schedule.
 *
 * @param name stable identity of the schedule, 1 to 128 characters
 * @param cron a cron expression with five fields (minute to day of week) or six (seconds first), in
 *     Spring's syntax (e.g. {@code 0 0 6 * * MON-FRI}, {@code @hourly})
 * @param zone the time zone the expression is read in
 * @param job what each occurrence enqueues; its run-at is ignored (an occurrence runs at its time)
 *     and its unique key is replaced by one per occurrence
 * @param missedPolicy what to do with occurrences missed while no worker ran
 */
public record Schedule(
    String name, String cron, ZoneId zone, JobRequest job, MissedPolicy missedPolicy) {

  /** What happens to occurrences that fell due while no worker was running. */
  public enum MissedPolicy {
    /** Enqueue the latest missed occurrence once, then go on from now. */
    RUN_ONCE,
    /** Enqueue none of them; an occurrence is missed once it is more than a minute late. */
    SKIP;

    public String dbValue() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Schedule {
    Objects.requireNonNull(name, "name");
    if (name.isBlank() || name.length() > 128) {
      throw new IllegalArgumentException("schedule name must be 1 to 128 characters");
    }
    cron = normalize(cron);
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(missedPolicy, "missedPolicy");
  }

  /** A schedule in UTC that runs the latest missed occurrence once after downtime. */
  public static Schedule of(String name, String cron, JobRequest job) {
    return new Schedule(name, cron, ZoneId.of("UTC"), job, MissedPolicy.RUN_ONCE);
  }

  public Schedule withZone(ZoneId zone) {
    return new Schedule(name, cron, zone, job, missedPolicy);
  }

  public Schedule withMissedPolicy(MissedPolicy missedPolicy) {
    return new Schedule(name, cron, zone, job, missedPolicy);
  }

  /**
   * The first occurrence strictly after {@code after}, or null if there is none.
   *
   * <p>An occurrence whose wall-clock time does not exist on a day (a daily 02:30 on the night the
   * clocks jump from 02:00 to 03:00) runs that day, shifted forward by the length of the gap, as
   * cron runs jobs of a skipped hour right after the jump; {@link CronExpression} alone would skip
   * the day. An hour repeated when the clocks go back is left as {@link CronExpression} reads it.
   */
  public @Nullable ZonedDateTime next(ZonedDateTime after) {
    CronExpression expression = CronExpression.parse(cron);
    ZonedDateTime local = after.withZoneSameInstant(zone);
    ZonedDateTime next = expression.next(local);
    LocalDateTime wallClock = expression.next(local.toLocalDateTime());
    if (wallClock != null) {
      // ZonedDateTime.of moves a time inside a gap forward by the gap's length.
      ZonedDateTime shifted = ZonedDateTime.of(wallClock, zone);
      if (shifted.isAfter(after) && (next == null || shifted.isBefore(next))) {
        return shifted;
      }
    }
    return next;
  }

  /** Seconds are optional: a five-field expression runs at second 0. Validates the result. */
  private static String normalize(String cron) {
    Objects.requireNonNull(cron, "cron");
    String trimmed = cron.trim();
    String full =
        !trimmed.startsWith("@") && trimmed.split("\\s+").length == 5 ? "0 " + trimmed : trimmed;
    try {
      CronExpression.parse(full);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid cron expression '" + cron + "': " + e.getMessage(), e);
    }
    return full;
  }
}
