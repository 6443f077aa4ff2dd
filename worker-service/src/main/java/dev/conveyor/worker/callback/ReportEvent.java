package dev.conveyor.worker.callback;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.conveyor.queue.JobContext;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An event about a report, as the API accepts it at {@code POST /internal/report-events}. The
 * {@code id} is the event's identity: it is sent as {@code webhook-id} and stays the same on every
 * delivery attempt, so the API applies the event once.
 *
 * @param id a fresh id per event ({@code evt_<uuid>})
 * @param type {@code report.started}, {@code report.progress}, {@code report.completed}, {@code
 *     report.failed} or {@code report.cancelled}
 * @param reportId the report
 * @param jobId the {@code report.generate} job
 * @param attempt that job's attempt
 * @param leaseToken that attempt's fencing token, which the API checks against the job row
 * @param occurredAt when it happened here
 * @param progress 0 to 100, for {@code report.progress}
 * @param artifact the stored file, for {@code report.completed}
 * @param error why, for {@code report.failed}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReportEvent(
    String id,
    String type,
    UUID reportId,
    long jobId,
    int attempt,
    UUID leaseToken,
    String occurredAt,
    @Nullable Integer progress,
    @Nullable Artifact artifact,
    @Nullable Error error) {

  public static final String STARTED = "report.started";
  public static final String PROGRESS = "report.progress";
  public static final String COMPLETED = "report.completed";
  public static final String FAILED = "report.failed";
  public static final String CANCELLED = "report.cancelled";

  /** The file a completed report produced, as stored in {@code artifacts}. */
  public record Artifact(
      UUID id, String contentType, long sizeBytes, String sha256, String filename) {}

  /** Why a report failed: a stable code and a message for people. */
  public record Error(String code, String message) {}

  /** An event of the attempt running in {@code ctx}, with a fresh id. */
  public static ReportEvent of(String type, UUID reportId, JobContext ctx) {
    return new ReportEvent(
        "evt_" + UUID.randomUUID(),
        type,
        reportId,
        ctx.jobId(),
        ctx.attempt(),
        ctx.leaseToken(),
        Instant.now().toString(),
        null,
        null,
        null);
  }

  public ReportEvent withProgress(int percent) {
    return new ReportEvent(
        id, type, reportId, jobId, attempt, leaseToken, occurredAt, percent, artifact, error);
  }

  public ReportEvent withArtifact(Artifact value) {
    return new ReportEvent(
        id, type, reportId, jobId, attempt, leaseToken, occurredAt, progress, value, error);
  }

  public ReportEvent withError(String code, String message) {
    return new ReportEvent(
        id,
        type,
        reportId,
        jobId,
        attempt,
        leaseToken,
        occurredAt,
        progress,
        artifact,
        new Error(code, message));
  }
}
