package dev.conveyor.api.report;

import dev.conveyor.api.artifact.ArtifactFiles;
import dev.conveyor.api.artifact.ArtifactInfo;
import dev.conveyor.api.auth.Caller;
import dev.conveyor.api.web.ApiException;
import dev.conveyor.api.web.FieldProblem;
import dev.conveyor.contract.ReportEvent;
import dev.conveyor.queue.CancelResult;
import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobError;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobState;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Moves reports through their statuses: worker events (fenced) and client cancellations. Each runs
 * in one transaction that locks the report row first, so changes to one report apply one at a time;
 * a final status enqueues the client webhook in that same transaction, and the row's trigger sends
 * the NOTIFY that live streams listen to.
 *
 * <p><b>Fencing.</b> An event is applied only if its lease token is the token of the job's current
 * attempt: the queue row's {@code lease_token} while the job row exists (the queue is the authority
 * on which attempt is current, and attempt numbers alone are not: a snoozed or released job runs
 * again under the same number), else the token recorded on the report. An attempt whose event is
 * applied becomes the report's owner, so a newer attempt takes ownership with its first event, and
 * a rescued attempt's late events change nothing.
 */
@Service
public class ReportLifecycle {

  private static final Logger log = LoggerFactory.getLogger(ReportLifecycle.class);

  private final ReportRepository reports;
  private final JobQueue queue;
  private final ArtifactFiles artifacts;
  private final ClientWebhooks webhooks;
  private final Reports views;

  ReportLifecycle(
      ReportRepository reports,
      JobQueue queue,
      ArtifactFiles artifacts,
      ClientWebhooks webhooks,
      Reports views) {
    this.reports = reports;
    this.queue = queue;
    this.artifacts = artifacts;
    this.webhooks = webhooks;
    this.views = views;
  }

  /**
   * Applies a worker event if it is from the current attempt and moves the report forward;
   * otherwise changes nothing and says why. Joins the caller's transaction.
   *
   * @throws ApiException 422 if the event's fields are invalid or its artifact does not exist
   */
  @Transactional
  public EventOutcome apply(ReportEvent event) {
    List<FieldProblem> problems =
        event.violations().stream().map(v -> new FieldProblem(v.field(), v.message())).toList();
    if (!problems.isEmpty()) {
      throw ApiException.invalid(problems);
    }
    UUID reportId = Objects.requireNonNull(event.reportId());
    long jobId = Objects.requireNonNull(event.jobId());
    int attempt = Objects.requireNonNull(event.attempt());
    UUID token = Objects.requireNonNull(event.leaseToken());
    String type = Objects.requireNonNull(event.type());
    Instant at =
        (event.occurredAt() == null ? Instant.now() : event.occurredAt())
            .truncatedTo(ChronoUnit.MICROS);

    Optional<Report> found = reports.findForUpdate(reportId);
    if (found.isEmpty()) {
      return EventOutcome.refused("no report " + reportId, null);
    }
    Report report = found.get();
    ReportStatus status = report.status();
    if (report.jobId() != jobId) {
      return EventOutcome.refused(
          "event is for job "
              + jobId
              + " but report "
              + reportId
              + " is produced by job "
              + report.jobId(),
          status);
    }
    UUID current = currentToken(report);
    if (!token.equals(current)) {
      return EventOutcome.refused(
          "stale lease token: attempt " + attempt + " no longer owns this report", status);
    }
    boolean owner = token.equals(report.leaseToken());

    if (status.isTerminal()) {
      String terminalEvent = "report." + status.name().toLowerCase(java.util.Locale.ROOT);
      return EventOutcome.refused(
          owner && terminalEvent.equals(type)
              ? "duplicate: report is already " + status
              : "report is already " + status + "; its status cannot change",
          status);
    }
    switch (type) {
      case ReportEvent.STARTED -> {
        if (owner && status == ReportStatus.PROCESSING) {
          return EventOutcome.refused("duplicate: this attempt already started", status);
        }
        report.start(token, attempt, at);
      }
      case ReportEvent.PROGRESS -> {
        int progress = Objects.requireNonNull(event.progress());
        if (owner && status == ReportStatus.PROCESSING && progress <= report.progress()) {
          return EventOutcome.refused(
              progress == report.progress()
                  ? "duplicate: progress is already " + progress
                  : "progress would move backwards from " + report.progress() + " to " + progress,
              status);
        }
        report.progress(token, attempt, progress, at);
      }
      case ReportEvent.COMPLETED -> {
        ArtifactInfo file = artifact(report, Objects.requireNonNull(event.artifact()));
        report.complete(token, attempt, file.id(), at);
      }
      case ReportEvent.FAILED -> {
        ReportEvent.Error error = Objects.requireNonNull(event.error());
        report.fail(
            token, attempt, Objects.requireNonNull(error.code()), truncate(error.message()), at);
      }
      case ReportEvent.CANCELLED -> report.cancelled(token, attempt, at);
      default -> throw new IllegalStateException("unchecked event type " + type);
    }
    webhooks.finished(report);
    return EventOutcome.applied(report.status());
  }

  /**
   * Cancels the caller's report: one no worker has started is cancelled now, together with its job;
   * a running one gets a cancellation request that its worker sees (the report ends CANCELLED when
   * the worker reports it, or COMPLETED/FAILED if it finished first). A report whose job already
   * ended cancelled without its worker reporting it is cancelled now.
   *
   * @return the report afterwards, and whether it is cancelled already
   */
  @Transactional
  public Cancellation cancel(Caller caller, UUID id) {
    Report report =
        reports
            .findForUpdate(id)
            .filter(r -> r.ownerId() == caller.clientId())
            .orElseThrow(() -> ApiException.notFound("No report " + id));
    if (report.status().isTerminal()) {
      throw ApiException.conflict(
          "Report " + id + " is already " + report.status() + " and cannot be cancelled");
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    CancelResult result = queue.cancel(report.jobId());
    if (result == CancelResult.ALREADY_FINISHED && jobEndedCancelled(report)) {
      // The job ended cancelled but no worker said so (a shutdown handed back, or the rescuer
      // took back, a job whose cancellation was requested): no event will come, so settle it here.
      result = CancelResult.CANCELLED;
    }
    switch (result) {
      case CANCELLED -> {
        report.cancelNow(now);
        webhooks.finished(report);
      }
      case CANCEL_REQUESTED -> report.requestCancel(now);
      case ALREADY_FINISHED, NOT_FOUND ->
          throw ApiException.conflict(
              "Report " + id + " has just finished; its final status arrives in a moment");
    }
    reports.flush();
    return new Cancellation(views.view(report), result == CancelResult.CANCELLED);
  }

  /**
   * Settles a report whose job ended without a worker event (see {@link ReportSettler}), from what
   * the database holds: COMPLETED with its file when the job completed (or is gone) and the file is
   * stored ({@code artifacts.report_id}, written in the job's completing transaction), as its
   * {@code report.completed} would have: the same owner token, attempt, file and webhook, {@code
   * completedAt} when the job completed; FAILED when the job was discarded (its last error in the
   * message) or is gone without a file; CANCELLED when it was cancelled. The client's webhook is
   * enqueued in the same transaction. Its own transaction, under the report's row lock and
   * re-checked, so replicas sweeping at once, or a late worker event, settle it once; a worker's
   * event arriving after it is refused (2xx, {@code applied: false}).
   *
   * @return the status it settled the report with; empty if it left the report as it was
   */
  @Transactional(propagation = Propagation.REQUIRES_NEW)
  Optional<ReportStatus> settleUnreported(UUID id) {
    Optional<Report> locked = reports.findForUpdate(id);
    if (locked.isEmpty() || locked.get().status().isTerminal()) {
      return Optional.empty();
    }
    Report report = locked.get();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Optional<Job> job = queue.find(report.jobId());
    JobState state = job.map(Job::state).orElse(null);
    Optional<ArtifactInfo> file =
        state == null || state == JobState.COMPLETED
            ? artifacts.findStoredFor(id).filter(f -> f.ownerId() == report.ownerId())
            : Optional.empty();
    String how;
    if (file.isPresent()) {
      // The token and attempt that completed the job, so the worker's own report.completed, if
      // it arrives after all, is a duplicate of what is recorded.
      UUID token = job.map(Job::leaseToken).orElse(report.leaseToken());
      int attempt = job.map(Job::attempt).orElse(report.attempts());
      Instant at = job.map(Job::finalizedAt).orElse(now);
      report.completeUnreported(token, attempt, file.get().id(), at);
      how = "from its stored file: its job completed but its report.completed never arrived";
    } else if (state == null) {
      report.failUnreported(
          "JOB_LOST", "the report's queue job is gone and no worker reported an outcome", now);
      how = "its job is gone";
    } else if (state == JobState.CANCELLED) {
      report.cancelNow(now);
      how = "its job ended cancelled without a worker event";
    } else if (state == JobState.DISCARDED) {
      List<JobError> errors = queue.errors(report.jobId());
      String last = errors.isEmpty() ? "no error recorded" : errors.getLast().error();
      report.failUnreported(
          "JOB_DISCARDED",
          truncate("the report's job ended without a report from its worker: " + last),
          now);
      how = "its job was discarded without a worker event";
    } else {
      return Optional.empty();
    }
    webhooks.finished(report);
    reports.flush();
    log.warn("Report {} settled {} {}", id, report.status(), how);
    return Optional.of(report.status());
  }

  /** The report after a cancel request, and whether it is already cancelled. */
  public record Cancellation(ReportView report, boolean cancelled) {}

  private boolean jobEndedCancelled(Report report) {
    return queue.find(report.jobId()).map(j -> j.state() == JobState.CANCELLED).orElse(false);
  }

  private @Nullable UUID currentToken(Report report) {
    Optional<Job> job = queue.find(report.jobId());
    return job.isPresent() && job.get().leaseToken() != null
        ? job.get().leaseToken()
        : report.leaseToken();
  }

  private ArtifactInfo artifact(Report report, ReportEvent.Artifact given) {
    UUID id = Objects.requireNonNull(given.id());
    Optional<ArtifactInfo> stored = artifacts.find(id);
    if (stored.isEmpty() || stored.get().ownerId() != report.ownerId()) {
      throw ApiException.invalid(
          List.of(
              new FieldProblem("artifact.id", "no stored artifact " + id + " for this report")));
    }
    return stored.get();
  }

  private static @Nullable String truncate(@Nullable String message) {
    return message == null || message.length() <= 2000 ? message : message.substring(0, 2000);
  }
}
