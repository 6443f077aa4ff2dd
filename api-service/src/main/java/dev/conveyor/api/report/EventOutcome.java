package dev.conveyor.api.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * What applying a worker event did. A refused event is still a success for the sender (2xx): it
 * must stop retrying, since sending it again would change nothing.
 *
 * @param applied whether the report changed
 * @param reason why not, when not applied
 * @param status the report's status afterwards, when the report exists
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventOutcome(
    boolean applied, @Nullable String reason, @Nullable ReportStatus status) {

  static EventOutcome applied(ReportStatus status) {
    return new EventOutcome(true, null, status);
  }

  static EventOutcome refused(String reason, @Nullable ReportStatus status) {
    return new EventOutcome(false, reason, status);
  }

  public static EventOutcome duplicateDelivery() {
    return new EventOutcome(
        false, "duplicate webhook-id: this callback was already received", null);
  }
}
