package dev.conveyor.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A worker's event about a report: the JSON body of {@code POST /internal/report-events}, written
 * by the worker and read by the API. Every field is nullable so that the receiver can name what is
 * missing ({@link #violations()}) instead of failing to read; a sender fills what its type needs.
 * Absent fields are left out of the JSON, and the receiver ignores fields it does not know (a newer
 * worker may add some).
 *
 * @param id the event's identity ({@code evt_<uuid>}): sent as {@code webhook-id} too, the same on
 *     every delivery attempt, so the API applies the event once
 * @param type {@code report.started}, {@code report.progress}, {@code report.completed}, {@code
 *     report.failed} or {@code report.cancelled}
 * @param reportId the report
 * @param jobId the {@code report.generate} job producing it
 * @param attempt that job's attempt that sent the event
 * @param leaseToken the fencing token the queue issued to that attempt, which the API checks
 *     against the job row
 * @param occurredAt when it happened at the worker; the API takes now if absent
 * @param progress 0 to 100 ({@code report.progress})
 * @param artifact the stored file ({@code report.completed})
 * @param error what went wrong ({@code report.failed})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "id",
  "type",
  "reportId",
  "jobId",
  "attempt",
  "leaseToken",
  "occurredAt",
  "progress",
  "artifact",
  "error"
})
public record ReportEvent(
    @Nullable String id,
    @Nullable String type,
    @Nullable UUID reportId,
    @Nullable Long jobId,
    @Nullable Integer attempt,
    @Nullable UUID leaseToken,
    @Nullable Instant occurredAt,
    @Nullable Integer progress,
    @Nullable Artifact artifact,
    @Nullable Error error) {

  public static final String STARTED = "report.started";
  public static final String PROGRESS = "report.progress";
  public static final String COMPLETED = "report.completed";
  public static final String FAILED = "report.failed";
  public static final String CANCELLED = "report.cancelled";

  /** Every event type, in lifecycle order. */
  public static final List<String> TYPES = List.of(STARTED, PROGRESS, COMPLETED, FAILED, CANCELLED);

  /** The longest {@code error.code} the API stores. */
  public static final int MAX_ERROR_CODE = 100;

  /**
   * The file a completed report produced, as stored in {@code artifacts}.
   *
   * @param id the artifact row
   * @param contentType its media type
   * @param sizeBytes its length
   * @param sha256 its SHA-256, lowercase hex
   * @param filename the name it is downloaded under
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"id", "contentType", "sizeBytes", "sha256", "filename"})
  public record Artifact(
      @Nullable UUID id,
      @Nullable String contentType,
      @Nullable Long sizeBytes,
      @Nullable String sha256,
      @Nullable String filename) {}

  /**
   * Why a report failed.
   *
   * @param code a stable code (at most {@value #MAX_ERROR_CODE} characters)
   * @param message for people
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Error(@Nullable String code, @Nullable String message) {}

  /** A field of an event that breaks the contract, and why. */
  public record Violation(String field, String message) {}

  /** An event of one job attempt, with a fresh id, happening now. */
  public static ReportEvent of(
      String type, UUID reportId, long jobId, int attempt, UUID leaseToken, Instant occurredAt) {
    return new ReportEvent(
        "evt_" + UUID.randomUUID(),
        type,
        reportId,
        jobId,
        attempt,
        leaseToken,
        occurredAt,
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

  /** Every field that breaks the contract; empty when the event can be applied. */
  public List<Violation> violations() {
    List<Violation> violations = new ArrayList<>();
    if (type == null || !TYPES.contains(type)) {
      violations.add(new Violation("type", "must be one of " + String.join(", ", TYPES)));
    }
    if (reportId == null) {
      violations.add(new Violation("reportId", "is required"));
    }
    if (jobId == null) {
      violations.add(new Violation("jobId", "is required"));
    }
    if (attempt == null || attempt < 1) {
      violations.add(new Violation("attempt", "is required and at least 1"));
    }
    if (leaseToken == null) {
      violations.add(new Violation("leaseToken", "is required"));
    }
    if (PROGRESS.equals(type) && (progress == null || progress < 0 || progress > 100)) {
      violations.add(new Violation("progress", "is required, 0 to 100"));
    }
    if (COMPLETED.equals(type) && (artifact == null || artifact.id() == null)) {
      violations.add(new Violation("artifact.id", "is required for report.completed"));
    }
    if (FAILED.equals(type)) {
      if (error == null || error.code() == null || error.code().isBlank()) {
        violations.add(new Violation("error.code", "is required for report.failed"));
      } else if (error.code().length() > MAX_ERROR_CODE) {
        violations.add(
            new Violation("error.code", "must be at most " + MAX_ERROR_CODE + " characters"));
      }
    }
    return violations;
  }
}
