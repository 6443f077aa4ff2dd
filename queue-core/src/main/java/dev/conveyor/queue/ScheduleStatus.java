package dev.conveyor.queue;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What operators see of a schedule.
 *
 * @param name the schedule
 * @param cron its expression (six fields)
 * @param timeZone the zone it is read in
 * @param kind the job kind each occurrence enqueues
 * @param queue the queue it enqueues to
 * @param missedPolicy run_once or skip
 * @param nextRunAt the next occurrence
 * @param lastRunAt the occurrence last enqueued, if any
 * @param lastJobId the job enqueued for it
 * @param lastOutcome that job's state, or null before the first run or once it was pruned
 */
public record ScheduleStatus(
    String name,
    String cron,
    String timeZone,
    String kind,
    String queue,
    String missedPolicy,
    Instant nextRunAt,
    @Nullable Instant lastRunAt,
    @Nullable Long lastJobId,
    @Nullable JobState lastOutcome) {}
