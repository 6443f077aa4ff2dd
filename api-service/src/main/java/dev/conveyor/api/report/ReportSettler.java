package dev.conveyor.api.report;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Settles reports that no worker event will settle. A report follows its worker's events, and a
 * worker that dies or is stopped cannot always send one: the rescuer discards a job whose last
 * attempt's worker was killed, a shutdown or the rescuer ends a cancel-requested job cancelled, an
 * operator cancels a job. Without this the report would stay PENDING or PROCESSING for ever.
 *
 * <p>Every minute it looks for unfinished reports whose job was discarded or cancelled more than
 * {@link #GRACE} ago, or is gone, and settles each ({@link ReportLifecycle#settleUnreported}). The
 * grace leaves a worker's own event, a durable callback that may be retrying, the time to arrive
 * first, with its own error. A job that completed is left alone: its {@code report.completed} is on
 * its way. Every API replica sweeps; the report's row lock settles each report once.
 */
@Component
class ReportSettler {

  static final Duration GRACE = Duration.ofMinutes(10);
  private static final int BATCH = 100;
  private static final Logger log = LoggerFactory.getLogger(ReportSettler.class);

  private final ReportRepository reports;
  private final ReportLifecycle lifecycle;

  ReportSettler(ReportRepository reports, ReportLifecycle lifecycle) {
    this.reports = reports;
    this.lifecycle = lifecycle;
  }

  @Scheduled(initialDelay = 60_000, fixedDelay = 60_000)
  void sweep() {
    try {
      settle(Instant.now().minus(GRACE));
    } catch (RuntimeException e) {
      log.error("Settling unreported reports failed; trying again in a minute", e);
    }
  }

  /** Settles the reports whose job ended unreported before {@code before}, a batch at a time. */
  void settle(Instant before) {
    for (UUID id : reports.findUnsettled(before, BATCH)) {
      lifecycle.settleUnreported(id);
    }
  }
}
