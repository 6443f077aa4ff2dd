package dev.conveyor.worker.report;

import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.JobFailure;
import dev.conveyor.queue.JobHandler;
import dev.conveyor.queue.LeaseLostException;
import dev.conveyor.worker.WorkerServiceProperties;
import dev.conveyor.worker.callback.ReportEvent;
import dev.conveyor.worker.callback.ReportEvents;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code report.generate} (queue {@code reports}), payload {@code {"reportId": "…"}}.
 *
 * <ol>
 *   <li>loads the report row and sends {@code report.started} (best effort);
 *   <li>in one transaction ({@link JobContext#completeWithin}): streams the rows through a cursor
 *       into the format's writer, whose bytes go straight into artifact chunks (size and SHA-256
 *       computed on the way), marks the artifact stored, enqueues the durable {@code
 *       report.completed} callback and completes the job; a lost lease rolls all of it back;
 *   <li>reports progress (the job's, throttled by the runtime, and {@code report.progress}
 *       callbacks at most every {@code progress-interval}).
 * </ol>
 *
 * <p>A report it cannot produce (unsupported type, unusable parameters) is discarded at once with a
 * durable {@code report.failed}; so is one whose last attempt failed. A cancellation ends with a
 * durable {@code report.cancelled}. Only {@code voterList} is implemented so far.
 */
@Component
class GenerateReportHandler implements JobHandler {

  static final String KIND = "report.generate";
  static final String CSV_TYPE = "text/csv";
  static final String XLSX_TYPE =
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

  private static final Logger log = LoggerFactory.getLogger(GenerateReportHandler.class);

  private final ReportRepository reports;
  private final ArtifactRepository artifacts;
  private final VoterListReport voterList;
  private final ReportEvents events;
  private final JsonMapper json;
  private final WorkerServiceProperties properties;

  GenerateReportHandler(
      ReportRepository reports,
      ArtifactRepository artifacts,
      VoterListReport voterList,
      ReportEvents events,
      JsonMapper json,
      WorkerServiceProperties properties) {
    this.reports = reports;
    this.artifacts = artifacts;
    this.voterList = voterList;
    this.events = events;
    this.json = json;
    this.properties = properties;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public void handle(JobContext ctx) {
    UUID reportId = reportId(ctx.payload());
    Report report =
        reports
            .find(reportId)
            .orElseThrow(() -> JobFailure.permanent("report " + reportId + " does not exist"));
    if (report.isFinal()) {
      log.info("Report {} is already {}; nothing to do", reportId, report.status());
      return;
    }
    events.sendBestEffort(ReportEvent.of(ReportEvent.STARTED, reportId, ctx));
    try {
      ReportEvent.Artifact artifact = ctx.completeWithin(() -> generate(report, ctx));
      log.info(
          "Report {} ({} {}) stored as artifact {}: {} bytes",
          reportId,
          report.type(),
          report.format(),
          artifact.id(),
          artifact.sizeBytes());
    } catch (InvalidReportException e) {
      fail(report, ctx, e.code(), e.getMessage());
      throw JobFailure.permanent(e.code() + ": " + e.getMessage());
    } catch (JobFailure.Cancelled e) {
      events.enqueue(ReportEvent.of(ReportEvent.CANCELLED, reportId, ctx));
      throw e;
    } catch (LeaseLostException e) {
      // Another attempt owns the report now; this one must not report anything.
      throw e;
    } catch (RuntimeException e) {
      if (ctx.isCancellationRequested()) {
        events.enqueue(ReportEvent.of(ReportEvent.CANCELLED, reportId, ctx));
        throw JobFailure.cancelled();
      }
      if (ctx.attempt() >= ctx.job().maxAttempts()) {
        fail(report, ctx, "GENERATION_FAILED", "the report could not be generated: " + e);
      }
      throw e;
    }
  }

  private ReportEvent.Artifact generate(Report report, JobContext ctx) {
    if (!VoterListReport.TYPE.equals(report.type())) {
      throw new InvalidReportException(
          "UNSUPPORTED_REPORT_TYPE",
          "report type " + report.type() + " is not supported by this worker yet");
    }
    String contentType =
        switch (report.format()) {
          case "CSV" -> CSV_TYPE;
          case "XLSX" -> XLSX_TYPE;
          default ->
              throw new InvalidReportException(
                  "UNSUPPORTED_FORMAT", "voterList cannot be produced as " + report.format());
        };
    VoterListReport.Filter filter = voterList.filter(report.parameters());
    long total = voterList.count(filter);
    UUID artifactId = UUID.randomUUID();
    String filename = "voter-list-" + report.id() + "." + report.format().toLowerCase();
    ArtifactOutputStream out =
        artifacts.create(artifactId, report.ownerId(), filename, contentType);
    Progress progress = new Progress(ctx, report.id(), total);
    try (TableWriter writer = TableWriter.forFormat(report.format(), "Voters", out)) {
      writer.header(VoterListReport.COLUMNS);
      voterList.stream(
          filter,
          properties.fetchSize(),
          values -> {
            try {
              writer.row(values);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            progress.rowWritten();
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (XlsxTableWriter.TooManyRowsException e) {
      throw new InvalidReportException("TOO_LARGE", e.getMessage());
    }
    out.close();
    String sha256 = out.sha256();
    artifacts.markStored(artifactId, out.size(), sha256);
    ReportEvent.Artifact artifact =
        new ReportEvent.Artifact(artifactId, contentType, out.size(), sha256, filename);
    events.enqueue(ReportEvent.of(ReportEvent.COMPLETED, report.id(), ctx).withArtifact(artifact));
    return artifact;
  }

  private void fail(Report report, JobContext ctx, String code, String message) {
    log.warn("Report {} failed: {}: {}", report.id(), code, message);
    events.enqueue(ReportEvent.of(ReportEvent.FAILED, report.id(), ctx).withError(code, message));
  }

  private UUID reportId(String payload) {
    try {
      JsonNode id = json.readTree(payload).get("reportId");
      return UUID.fromString(id.asString());
    } catch (RuntimeException e) {
      throw JobFailure.permanent("payload must be {\"reportId\": \"<uuid>\"}: " + payload, e);
    }
  }

  /**
   * Progress while rows are written: the job's progress (the runtime throttles its writes) and a
   * {@code report.progress} callback at most every {@code progress-interval}; checks for
   * cancellation every few hundred rows. 100 is left for completion.
   */
  private final class Progress {
    private final JobContext ctx;
    private final UUID reportId;
    private final long total;
    private final long intervalNanos = properties.progressInterval().toNanos();
    private final AtomicLong rows = new AtomicLong();
    private int lastPercent = -1;
    private long lastSent = System.nanoTime();

    Progress(JobContext ctx, UUID reportId, long total) {
      this.ctx = ctx;
      this.reportId = reportId;
      this.total = total;
    }

    void rowWritten() {
      long n = rows.incrementAndGet();
      if (n % 256 == 0) {
        ctx.throwIfCancellationRequested();
      }
      int percent = total == 0 ? 99 : (int) Math.min(99, n * 100 / total);
      if (percent == lastPercent) {
        return;
      }
      lastPercent = percent;
      ctx.progress(percent);
      long now = System.nanoTime();
      if (now - lastSent >= intervalNanos) {
        lastSent = now;
        events.sendBestEffort(
            ReportEvent.of(ReportEvent.PROGRESS, reportId, ctx).withProgress(percent));
      }
    }
  }
}
