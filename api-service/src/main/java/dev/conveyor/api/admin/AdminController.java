package dev.conveyor.api.admin;

import dev.conveyor.api.web.ApiException;
import dev.conveyor.queue.CancelResult;
import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobError;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobState;
import dev.conveyor.queue.QueueCount;
import dev.conveyor.queue.RetryResult;
import io.swagger.v3.oas.annotations.Operation;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Queue operations for operators. Spring Security lets only admin keys reach these ({@code
 * auth.SecurityConfiguration}).
 *
 * <p>These act on jobs only. Cancelling a report's job here does not touch the report row (use
 * {@code POST /api/reports/{id}/cancel} for that); retrying a dead report job runs it again, and
 * its events apply only if the report is not final yet.
 */
@RestController
@RequestMapping(path = "/api/admin", produces = MediaType.APPLICATION_JSON_VALUE)
class AdminController {

  static final int DEFAULT_PAGE = 50;
  static final int MAX_PAGE = 500;

  private final JobQueue queue;

  AdminController(JobQueue queue) {
    this.queue = queue;
  }

  record Counts(List<QueueCount> counts) {}

  @Operation(summary = "Job counts per queue and state")
  @GetMapping("/queues")
  Counts queues() {
    return new Counts(queue.counts());
  }

  /** A job as operators see it, with every failed attempt's error. */
  record JobView(
      long id,
      String queue,
      String kind,
      JobState state,
      int attempt,
      int maxAttempts,
      int priority,
      @Nullable String uniqueKey,
      boolean cancelRequested,
      Instant createdAt,
      Instant runAt,
      @Nullable Instant startedAt,
      @Nullable Instant finalizedAt,
      List<JobError> errors) {}

  record JobPage(List<JobView> items, @Nullable Long nextBeforeId) {}

  @Operation(summary = "Jobs in a state, newest first, with their errors")
  @GetMapping("/jobs")
  JobPage jobs(
      @RequestParam String state,
      @RequestParam(required = false) @Nullable String queue,
      @RequestParam(required = false) @Nullable Long beforeId,
      @RequestParam(required = false) @Nullable Integer limit) {
    JobState jobState = state(state);
    int size = limit == null ? DEFAULT_PAGE : limit;
    if (size < 1 || size > MAX_PAGE) {
      throw ApiException.badRequest("limit", "must be between 1 and " + MAX_PAGE);
    }
    List<Job> jobs =
        this.queue.list(jobState, queue, beforeId == null ? Long.MAX_VALUE : beforeId, size);
    List<JobView> items = jobs.stream().map(this::view).toList();
    return new JobPage(items, jobs.size() == size ? jobs.getLast().id() : null);
  }

  record Outcome(long jobId, String result) {}

  @Operation(summary = "Run a dead (or cancelled) job again")
  @PostMapping("/jobs/{id}/retry")
  Outcome retry(@PathVariable long id) {
    RetryResult result = queue.retry(id);
    return switch (result) {
      case RETRIED -> new Outcome(id, result.name());
      case NOT_FOUND -> throw ApiException.notFound("No job " + id);
      case NOT_RETRYABLE ->
          throw ApiException.conflict("Job " + id + " is not dead or cancelled; nothing to retry");
      case KEY_TAKEN ->
          throw ApiException.conflict(
              "Another unfinished job holds job " + id + "'s unique key; it cannot run again");
    };
  }

  @Operation(summary = "Cancel a job: now if waiting, else ask its worker to stop")
  @PostMapping("/jobs/{id}/cancel")
  Outcome cancel(@PathVariable long id) {
    CancelResult result = queue.cancel(id);
    return switch (result) {
      case CANCELLED, CANCEL_REQUESTED -> new Outcome(id, result.name());
      case NOT_FOUND -> throw ApiException.notFound("No job " + id);
      case ALREADY_FINISHED -> throw ApiException.conflict("Job " + id + " has already finished");
    };
  }

  private JobView view(Job job) {
    List<JobError> errors = job.errors().equals("[]") ? List.of() : queue.errors(job.id());
    return new JobView(
        job.id(),
        job.queue(),
        job.kind(),
        job.state(),
        job.attempt(),
        job.maxAttempts(),
        job.priority(),
        job.uniqueKey(),
        job.cancelRequested(),
        job.createdAt(),
        job.runAt(),
        job.startedAt(),
        job.finalizedAt(),
        errors);
  }

  private static JobState state(String value) {
    try {
      return JobState.valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          "state", "must be one of " + Arrays.toString(JobState.values()).toLowerCase(Locale.ROOT));
    }
  }
}
