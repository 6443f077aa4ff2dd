package dev.conveyor.api.report;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A report as clients see it ({@code GET /api/reports/{id}}, list items, SSE events).
 *
 * @param reportId the id
 * @param type report type
 * @param format output format
 * @param parameters the normalized parameters
 * @param status where it is
 * @param progress 0 to 100
 * @param attempts the worker attempt that owns it (0 before a worker took it)
 * @param cancelRequested whether the client asked to cancel it
 * @param createdAt when it was submitted
 * @param startedAt when a worker first started it
 * @param completedAt when it reached its final status (COMPLETED, FAILED or CANCELLED)
 * @param error why it failed (FAILED only)
 * @param artifact the file (COMPLETED only, until it expires)
 * @param artifactExpiredAt when a COMPLETED report's file was deleted after its retention ({@code
 *     artifact} is then null and the download answers 410)
 * @param callbackUrl where the final-status webhook goes, if anywhere
 */
public record ReportView(
    UUID reportId,
    String type,
    String format,
    @Schema(type = "object") @JsonRawValue String parameters,
    ReportStatus status,
    int progress,
    int attempts,
    boolean cancelRequested,
    Instant createdAt,
    @Nullable Instant startedAt,
    @Nullable Instant completedAt,
    @Nullable ErrorView error,
    @Nullable ArtifactView artifact,
    @Schema(
            description =
                "When the file of this COMPLETED report was deleted after its retention"
                    + " (conveyor.api.retention.artifacts, 30 days after completion by default);"
                    + " artifact is then null and GET .../artifact answers 410 Gone. Null while the"
                    + " file exists and for reports without a file")
        @Nullable Instant artifactExpiredAt,
    @Nullable String callbackUrl) {

  /** Why a report failed. */
  public record ErrorView(String code, @Nullable String message) {}

  /** The report's file: download it from {@code url}. */
  public record ArtifactView(
      String url, String filename, String contentType, long sizeBytes, String sha256) {}
}
