package dev.conveyor.api.report;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Settles reports that no worker event will settle. A report follows its worker's events, and a
 * worker cannot always send one, or have it accepted: the rescuer discards a job whose last
 * attempt's worker was killed, a shutdown or the rescuer ends a cancel-requested job cancelled, an
 * operator cancels a job or a callback job, the API rejects a worker's callbacks (a secret it does
 * not list, a clock off by more than the tolerance). Without this the report would stay PENDING or
 * PROCESSING for ever, or until its job is pruned and it ends FAILED {@code JOB_LOST} although its
 * file is stored.
 *
 * <p>Every minute it settles, under each report's row lock ({@link
 * ReportLifecycle#settleUnreported}): a report whose job completed more than {@link
 * #COMPLETED_GRACE} ago with its file stored (COMPLETED, as its {@code report.completed} would
 * have); whose job was discarded or cancelled more than {@link #GRACE} ago (FAILED or CANCELLED);
 * or whose job is gone (COMPLETED if its file is stored, else FAILED {@code JOB_LOST}). The graces
 * leave a worker's own event, a durable callback that may be retrying, the time to arrive first:
 * short for a completed job (the file is the whole result, the callback would only carry it), long
 * enough for a failure's own error.
 *
 * <p><b>Cost.</b> A sweep examines at most two windows of {@link UnsettledReports#WINDOW}
 * unfinished reports (reports_unfinished_created_id_idx), however many wait: the oldest ones (a
 * report stuck after its job ended is older than the backlog behind it, which the queue takes
 * oldest first), and the next window after where this replica's previous sweep stopped (keyset;
 * back to the start at the end), so every unfinished report is examined in turn. A sweep runs in a
 * transaction holding an advisory lock: one replica sweeps at a time, and a replica that finds it
 * taken skips its turn.
 */
@Component
class ReportSettler {

  /** How long after a job was discarded or cancelled its report is settled without an event. */
  static final Duration GRACE = Duration.ofMinutes(10);

  /**
   * How long after a job completed, its file stored, its report is settled without its {@code
   * report.completed}: longer than a delivery and its first retries take (seconds), short enough
   * that a rejected callback delays a report by minutes, not for ever.
   */
  static final Duration COMPLETED_GRACE = Duration.ofMinutes(2);

  static final String SETTLED = "conveyor.reports.settled";

  private static final Logger log = LoggerFactory.getLogger(ReportSettler.class);

  private final UnsettledReports unsettled;
  private final ReportLifecycle lifecycle;
  private final TransactionTemplate tx;
  private final MeterRegistry meters;

  /** Where this replica's next window starts; only the sweep (one at a time) moves it. */
  private volatile UnsettledReports.Key cursor = UnsettledReports.START;

  ReportSettler(
      UnsettledReports unsettled,
      ReportLifecycle lifecycle,
      PlatformTransactionManager transactions,
      MeterRegistry meters) {
    this.unsettled = unsettled;
    this.lifecycle = lifecycle;
    this.tx = new TransactionTemplate(transactions);
    this.meters = meters;
    // Exported at zero from the start, so that an alert on their increase sees the first one.
    for (ReportStatus s :
        List.of(ReportStatus.COMPLETED, ReportStatus.FAILED, ReportStatus.CANCELLED)) {
      settledCounter(s);
    }
  }

  @Scheduled(initialDelay = 60_000, fixedDelay = 60_000)
  void sweep() {
    try {
      settle(Instant.now());
    } catch (RuntimeException e) {
      log.error("Settling unreported reports failed; trying again in a minute", e);
    }
  }

  /**
   * One sweep as of {@code now}: settles the unsettled reports among the oldest window and the next
   * one. Empty if another replica is sweeping (nothing was examined); else the ids settled.
   */
  Optional<List<UUID>> settle(Instant now) {
    Optional<List<UUID>> result =
        tx.execute(
            status -> {
              if (!unsettled.tryLock()) {
                return Optional.empty();
              }
              Instant failedBefore = now.minus(GRACE);
              Instant completedBefore = now.minus(COMPLETED_GRACE);
              List<UnsettledReports.Examined> examined =
                  new ArrayList<>(
                      unsettled.window(UnsettledReports.START, failedBefore, completedBefore));
              UnsettledReports.Key from = cursor;
              if (!from.equals(UnsettledReports.START)) {
                List<UnsettledReports.Examined> next =
                    unsettled.window(from, failedBefore, completedBefore);
                examined.addAll(next);
                cursor =
                    next.size() < UnsettledReports.WINDOW
                        ? UnsettledReports.START
                        : next.getLast().key();
              } else {
                cursor =
                    examined.size() < UnsettledReports.WINDOW
                        ? UnsettledReports.START
                        : examined.getLast().key();
              }
              // The two windows overlap once settled reports have left the head.
              Set<UUID> seen = new HashSet<>();
              List<UUID> settled = new ArrayList<>();
              for (UnsettledReports.Examined e : examined) {
                if (e.unsettled() && seen.add(e.key().id())) {
                  // Its own transaction (REQUIRES_NEW): one report's failure leaves the others
                  // settled, and each row lock is held only while that report is settled.
                  try {
                    lifecycle
                        .settleUnreported(e.key().id())
                        .ifPresent(
                            s -> {
                              settled.add(e.key().id());
                              settledCounter(s).increment();
                            });
                  } catch (RuntimeException failure) {
                    log.error(
                        "Settling report {} failed; the next sweep tries again",
                        e.key().id(),
                        failure);
                  }
                }
              }
              return Optional.of(settled);
            });
    return Objects.requireNonNull(result);
  }

  private Counter settledCounter(ReportStatus status) {
    return Counter.builder(SETTLED)
        .description("Reports the API settled without their worker's event, by the status they got")
        .tag("status", status.name())
        .register(meters);
  }
}
