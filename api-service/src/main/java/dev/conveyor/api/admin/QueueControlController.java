package dev.conveyor.api.admin;

import dev.conveyor.api.web.ApiException;
import dev.conveyor.api.web.FieldProblem;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.QueueControl;
import dev.conveyor.queue.QueueControl.QueueLimits;
import dev.conveyor.queue.ScheduleStatus;
import io.swagger.v3.oas.annotations.Operation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Queue controls for operators: pause and resume a queue, set its cluster-wide limits, and see the
 * recurring schedules. Everything is stored in the database, so it applies to every worker replica
 * and survives restarts. Spring Security lets only admin keys reach these ({@code
 * auth.SecurityConfiguration}).
 */
@RestController
@RequestMapping(path = "/api/admin", produces = MediaType.APPLICATION_JSON_VALUE)
class QueueControlController {

  private static final int MAX_QUEUE_NAME = 128;
  // Longer ones overflow (toMillis) or put the claim's "now - period" out of PostgreSQL's range.
  private static final Duration MAX_RATE_PERIOD = Duration.ofDays(366);

  private final JobQueue queue;

  QueueControlController(JobQueue queue) {
    this.queue = queue;
  }

  record Controls(List<QueueControl> controls) {}

  @Operation(summary = "Every queue with a pause or limits")
  @GetMapping("/queue-controls")
  Controls controls() {
    return new Controls(queue.controls());
  }

  /**
   * @param until pause until then; absent: until resumed
   */
  record PauseRequest(@Nullable Instant until) {}

  @Operation(summary = "Pause a queue: no worker claims from it until it is resumed (or until)")
  @PostMapping("/queues/{name}/pause")
  Controls pause(@PathVariable String name, @RequestBody(required = false) PauseRequest body) {
    String queueName = queueName(name);
    Instant until = body == null ? null : body.until();
    if (until == null) {
      queue.pause(queueName);
    } else {
      if (!until.isAfter(Instant.now())) {
        throw ApiException.invalid(List.of(new FieldProblem("until", "must be in the future")));
      }
      queue.pauseUntil(queueName, until);
    }
    return controls();
  }

  @Operation(summary = "Resume a paused queue; its workers are woken at once")
  @PostMapping("/queues/{name}/resume")
  Controls resume(@PathVariable String name) {
    if (!queue.resume(queueName(name))) {
      throw ApiException.notFound("Queue " + name + " has no pause or limits");
    }
    return controls();
  }

  /**
   * Limits of one queue; each is optional (absent: no limit).
   *
   * @param maxRunning at most this many jobs running at once across all workers
   * @param maxRunningPerKey at most this many running at once per partition key (e.g. client)
   * @param rateLimit at most this many starts in any {@code ratePeriod}
   * @param ratePeriod ISO-8601 duration, e.g. {@code PT1S}; set exactly when rateLimit is
   */
  record LimitsRequest(
      @Nullable Integer maxRunning,
      @Nullable Integer maxRunningPerKey,
      @Nullable Integer rateLimit,
      @Nullable Duration ratePeriod) {}

  @Operation(summary = "Set a queue's cluster-wide limits (an empty body clears them)")
  @PutMapping("/queues/{name}/limits")
  Controls limits(@PathVariable String name, @RequestBody(required = false) LimitsRequest body) {
    String queueName = queueName(name);
    LimitsRequest request = body == null ? new LimitsRequest(null, null, null, null) : body;
    List<FieldProblem> problems = new ArrayList<>();
    atLeastOne("maxRunning", request.maxRunning(), problems);
    atLeastOne("maxRunningPerKey", request.maxRunningPerKey(), problems);
    atLeastOne("rateLimit", request.rateLimit(), problems);
    if ((request.rateLimit() == null) != (request.ratePeriod() == null)) {
      problems.add(
          new FieldProblem(
              request.rateLimit() == null ? "rateLimit" : "ratePeriod",
              "rateLimit and ratePeriod are set together"));
    }
    if (request.ratePeriod() != null
        && (request.ratePeriod().compareTo(Duration.ofMillis(1)) < 0
            || request.ratePeriod().compareTo(MAX_RATE_PERIOD) > 0)) {
      problems.add(new FieldProblem("ratePeriod", "must be between 1 ms and 366 days"));
    }
    if (!problems.isEmpty()) {
      throw ApiException.invalid(problems);
    }
    queue.setLimits(
        queueName,
        new QueueLimits(
            request.maxRunning(),
            request.maxRunningPerKey(),
            request.rateLimit(),
            request.ratePeriod()));
    return controls();
  }

  record Schedules(List<ScheduleStatus> schedules) {}

  @Operation(summary = "Recurring schedules with their next run, last run and last outcome")
  @GetMapping("/schedules")
  Schedules schedules() {
    return new Schedules(queue.schedules());
  }

  private static void atLeastOne(String field, @Nullable Integer value, List<FieldProblem> out) {
    if (value != null && value < 1) {
      out.add(new FieldProblem(field, "must be at least 1"));
    }
  }

  private static String queueName(String name) {
    if (name.isBlank() || name.length() > MAX_QUEUE_NAME) {
      throw ApiException.badRequest(
          "name", "a queue name is 1 to " + MAX_QUEUE_NAME + " characters");
    }
    return name;
  }
}
