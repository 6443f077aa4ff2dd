package dev.conveyor.worker.report;

import dev.conveyor.contract.ReportEvent;
import dev.conveyor.queue.JobContext;
import dev.conveyor.worker.callback.ReportEvents;
import java.time.Duration;
import java.util.UUID;

/**
 * A report's progress while its generator works, in units the generator chooses (rows, voters,
 * pages): the job's progress (the runtime throttles its writes) and a {@code report.progress}
 * callback at most every {@code interval}; checks for cancellation every few hundred units. 100 is
 * left for completion.
 */
final class ReportProgress {

  private final JobContext ctx;
  private final UUID reportId;
  private final ReportEvents events;
  private final long intervalNanos;
  private long total;
  private long done;
  private int lastPercent = -1;
  private long lastSent = System.nanoTime();

  ReportProgress(JobContext ctx, UUID reportId, ReportEvents events, Duration interval) {
    this.ctx = ctx;
    this.reportId = reportId;
    this.events = events;
    this.intervalNanos = interval.toNanos();
  }

  /** How many units the whole report has (0 when unknown: progress then stays at 99). */
  void total(long total) {
    this.total = total;
  }

  /** One unit done. */
  void step() {
    done++;
    if (done % 256 == 0) {
      ctx.throwIfCancellationRequested();
    }
    report();
  }

  /**
   * {@code position} units done, for work measured by a position rather than counted in steps
   * (bytes of an upload read so far). Checks for cancellation on every call: the caller calls it
   * once per record, and the check is a flag read.
   */
  void advanceTo(long position) {
    done = position;
    ctx.throwIfCancellationRequested();
    report();
  }

  private void report() {
    int percent = total == 0 ? 99 : (int) Math.min(99, done * 100 / total);
    if (percent == lastPercent) {
      return;
    }
    lastPercent = percent;
    ctx.progress(percent);
    long now = System.nanoTime();
    if (now - lastSent >= intervalNanos) {
      lastSent = now;
      events.sendBestEffort(
          ReportEvents.event(ReportEvent.PROGRESS, reportId, ctx).withProgress(percent));
    }
  }
}
