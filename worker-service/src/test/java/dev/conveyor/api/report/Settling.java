package dev.conveyor.api.report;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.context.ApplicationContext;

/**
 * Runs a sweep of a running API's {@link ReportSettler} now (its schedule is every minute), as if
 * the completed grace had passed, for end-to-end tests in other modules.
 */
public final class Settling {

  private Settling() {}

  /**
   * One sweep of {@code api}'s settler as of the grace for completed jobs from now, waiting out a
   * scheduled sweep that holds the lock; the ids it settled.
   */
  public static List<UUID> settleCompletedNow(ApplicationContext api) {
    ReportSettler settler = api.getBean(ReportSettler.class);
    Instant asOf = Instant.now().plus(ReportSettler.COMPLETED_GRACE).plusSeconds(1);
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> settler.settle(asOf), Optional::isPresent)
        .orElseThrow();
  }
}
