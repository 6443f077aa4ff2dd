package dev.conveyor.worker.report;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The report row a job produces, as far as the worker needs it.
 *
 * @param id the report
 * @param ownerId the API client owning it (and its artifact)
 * @param type {@code voterList}, …
 * @param format {@code CSV}, {@code XLSX} or {@code PDF}
 * @param parameters the API-validated parameters, a JSON object
 * @param status the report's status now
 */
record Report(UUID id, long ownerId, String type, String format, String parameters, String status) {

  boolean isFinal() {
    return status.equals("COMPLETED") || status.equals("FAILED") || status.equals("CANCELLED");
  }

  static @Nullable String nullIfBlank(@Nullable String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
