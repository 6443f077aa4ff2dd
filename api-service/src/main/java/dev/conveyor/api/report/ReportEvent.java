package dev.conveyor.api.report;

import dev.conveyor.api.web.FieldProblem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A worker's event about a report ({@code POST /internal/report-events}).
 *
 * @param type {@code report.started}, {@code report.progress}, {@code report.completed}, {@code
 *     report.failed} or {@code report.cancelled}
 * @param reportId the report
 * @param jobId the queue job producing it
 * @param attempt the job attempt that sent the event
 * @param leaseToken the fencing token the queue issued to that attempt
 * @param occurredAt when it happened at the worker; now if absent
 * @param progress 0 to 100 ({@code report.progress})
 * @param artifact the stored file ({@code report.completed})
 * @param error what went wrong ({@code report.failed})
 */
public record ReportEvent(
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
  private static final List<String> TYPES =
      List.of(STARTED, PROGRESS, COMPLETED, FAILED, CANCELLED);

  /** The file a completed report produced, as stored in {@code artifacts}. */
  public record Artifact(
      @Nullable UUID id,
      @Nullable String contentType,
      @Nullable Long sizeBytes,
      @Nullable String sha256,
      @Nullable String filename) {}

  /** Why the report failed. */
  public record Error(@Nullable String code, @Nullable String message) {}

  /** Every problem with this event's fields; empty when it can be applied. */
  public List<FieldProblem> problems() {
    List<FieldProblem> problems = new ArrayList<>();
    if (type == null || !TYPES.contains(type)) {
      problems.add(new FieldProblem("type", "must be one of " + String.join(", ", TYPES)));
    }
    if (reportId == null) {
      problems.add(new FieldProblem("reportId", "is required"));
    }
    if (jobId == null) {
      problems.add(new FieldProblem("jobId", "is required"));
    }
    if (attempt == null || attempt < 1) {
      problems.add(new FieldProblem("attempt", "is required and at least 1"));
    }
    if (leaseToken == null) {
      problems.add(new FieldProblem("leaseToken", "is required"));
    }
    if (PROGRESS.equals(type) && (progress == null || progress < 0 || progress > 100)) {
      problems.add(new FieldProblem("progress", "is required, 0 to 100"));
    }
    if (COMPLETED.equals(type) && (artifact == null || artifact.id() == null)) {
      problems.add(new FieldProblem("artifact.id", "is required for report.completed"));
    }
    if (FAILED.equals(type)) {
      if (error == null || error.code() == null || error.code().isBlank()) {
        problems.add(new FieldProblem("error.code", "is required for report.failed"));
      } else if (error.code().length() > 100) {
        problems.add(new FieldProblem("error.code", "must be at most 100 characters"));
      }
    }
    return problems;
  }
}
