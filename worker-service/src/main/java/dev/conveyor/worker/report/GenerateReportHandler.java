package dev.conveyor.worker.report;

import dev.conveyor.contract.ReportEvent;
import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.JobFailure;
import dev.conveyor.queue.JobHandler;
import dev.conveyor.queue.LeaseLostException;
import dev.conveyor.worker.Traces;
import dev.conveyor.worker.WorkerServiceProperties;
import dev.conveyor.worker.callback.ReportEvents;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
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
 *   <li>inserts the artifact row, unstored, in a short transaction of its own;
 *   <li>the type's {@link ReportGenerator} reads the registry in bounded slices (each a short
 *       statement of its own) and writes the file, whose bytes go into artifact chunks, each chunk
 *       its own short transaction fenced by the attempt's lease token (size and SHA-256 computed on
 *       the way); no transaction stays open while the report is built;
 *   <li>in one short transaction ({@link JobContext#completeWithin}): marks the artifact stored,
 *       enqueues the durable {@code report.completed} callback and completes the job; a lost lease
 *       rolls it back;
 *   <li>reports progress through {@link ReportProgress}.
 * </ol>
 *
 * <p>A generator that writes the registry (voterImport) writes in short transactions of its own,
 * fenced on the attempt's lease token, and adds its final writes to the completing transaction
 * ({@link ReportGenerator#completing}) and to the one that enqueues {@code report.cancelled} or
 * {@code report.failed} ({@link ReportGenerator#ended}).
 *
 * <p>An attempt that does not complete deletes its unstored file (best effort); what it leaves (a
 * killed process) is removed by {@link ArtifactSweeper}.
 *
 * <p>A report it cannot produce (unsupported type, unusable parameters) is discarded at once with a
 * durable {@code report.failed}; so is one whose last attempt failed. A cancellation ends with a
 * durable {@code report.cancelled}.
 *
 * <p>Each attempt's time is recorded in the timer {@code conveyor.report.duration} (tags {@code
 * type}, {@code outcome}: {@code completed}, {@code failed}, {@code cancelled}, {@code error} for
 * an attempt that will be retried or lost its lease), with fixed buckets from 100 ms to 30 min for
 * quantiles across workers; each known type's {@code completed} series is registered at start.
 */
@Component
class GenerateReportHandler implements JobHandler {

  static final String KIND = "report.generate";
  static final String CSV_TYPE = "text/csv";
  static final String XLSX_TYPE =
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  static final String PDF_TYPE = "application/pdf";
  private static final Map<String, String> CONTENT_TYPES =
      Map.of("CSV", CSV_TYPE, "XLSX", XLSX_TYPE, "PDF", PDF_TYPE);

  private static final Logger log = LoggerFactory.getLogger(GenerateReportHandler.class);

  private final ReportRepository reports;
  private final ArtifactRepository artifacts;
  private final Map<String, ReportGenerator> generators;
  private final ReportEvents events;
  private final JsonMapper json;
  private final WorkerServiceProperties properties;
  private final MeterRegistry meters;

  static final String DURATION = "conveyor.report.duration";

  /** Bucket bounds of {@link #DURATION}: reports take from milliseconds to many minutes. */
  private static final Duration[] DURATION_BUCKETS = {
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(2),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(2),
    Duration.ofMinutes(5),
    Duration.ofMinutes(10),
    Duration.ofMinutes(30)
  };

  GenerateReportHandler(
      ReportRepository reports,
      ArtifactRepository artifacts,
      List<ReportGenerator> generators,
      ReportEvents events,
      JsonMapper json,
      WorkerServiceProperties properties,
      MeterRegistry meters) {
    this.reports = reports;
    this.artifacts = artifacts;
    this.generators = generators.stream().collect(Collectors.toMap(g -> g.spec().type(), g -> g));
    this.events = events;
    this.json = json;
    this.properties = properties;
    this.meters = meters;
    this.generators.keySet().forEach(type -> duration(type, "completed"));
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public void handle(JobContext ctx) {
    UUID reportId = reportId(ctx.payload());
    Traces.reportId(reportId);
    Report report =
        reports
            .find(reportId)
            .orElseThrow(() -> JobFailure.permanent("report " + reportId + " does not exist"));
    if (report.isFinal()) {
      log.info("Report {} is already {}; nothing to do", reportId, report.status());
      return;
    }
    events.sendBestEffort(ReportEvents.event(ReportEvent.STARTED, reportId, ctx));
    long start = System.nanoTime();
    String outcome = "error";
    try {
      ReportEvent.Artifact artifact = generate(report, ctx);
      log.info(
          "Report {} ({} {}) stored as artifact {}: {} bytes",
          reportId,
          report.type(),
          report.format(),
          artifact.id(),
          artifact.sizeBytes());
      outcome = "completed";
    } catch (InvalidReportException e) {
      outcome = "failed";
      String message = storable(e.getMessage());
      fail(report, ctx, e.code(), message);
      throw JobFailure.permanent(e.code() + ": " + message);
    } catch (JobFailure.Cancelled e) {
      cancelled(report, ctx);
      outcome = "cancelled";
      throw e;
    } catch (LeaseLostException e) {
      // Another attempt owns the report now; this one must not report anything.
      throw e;
    } catch (RuntimeException e) {
      if (ctx.isCancellationRequested()) {
        cancelled(report, ctx);
        outcome = "cancelled";
        throw JobFailure.cancelled();
      }
      if (ctx.attempt() >= ctx.job().maxAttempts()) {
        fail(report, ctx, "GENERATION_FAILED", storable("the report could not be generated: " + e));
        outcome = "failed";
      }
      throw e;
    } finally {
      duration(generators.containsKey(report.type()) ? report.type() : "unknown", outcome)
          .record(Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private Timer duration(String type, String outcome) {
    return Timer.builder(DURATION)
        .description("Time one attempt took to generate and store a report, by type and outcome")
        .tag("type", type)
        .tag("outcome", outcome)
        .serviceLevelObjectives(DURATION_BUCKETS)
        .register(meters);
  }

  private ReportEvent.Artifact generate(Report report, JobContext ctx) {
    ReportGenerator generator = generators.get(report.type());
    if (generator == null) {
      throw new InvalidReportException(
          "UNSUPPORTED_REPORT_TYPE",
          "report type " + report.type() + " is not supported by this worker");
    }
    String contentType = CONTENT_TYPES.get(report.format());
    if (contentType == null || !generator.spec().formats().contains(report.format())) {
      throw new InvalidReportException(
          "UNSUPPORTED_FORMAT", report.type() + " cannot be produced as " + report.format());
    }
    String filename =
        generator.spec().fileStem()
            + "-"
            + report.id()
            + "."
            + report.format().toLowerCase(Locale.ROOT);
    ArtifactOutputStream out =
        artifacts.create(
            UUID.randomUUID(),
            report.ownerId(),
            filename,
            contentType,
            ctx.jobId(),
            ctx.leaseToken());
    ReportProgress progress =
        new ReportProgress(ctx, report.id(), events, properties.progressInterval());
    ReportEvent.Artifact artifact;
    try {
      write(generator, report, ctx, out, progress);
      Traces.event("report.generated");
      artifact =
          ctx.completeWithin(
              () -> {
                generator.completing(report, ctx);
                return complete(report, ctx, out, filename, contentType);
              });
    } catch (RuntimeException e) {
      discard(out.artifactId());
      throw e;
    }
    Traces.event("report.stored");
    try {
      generator.completed(report, ctx);
    } catch (RuntimeException e) {
      log.warn("Clean-up after report {} failed; the sweep will do it", report.id(), e);
    }
    return artifact;
  }

  private static void write(
      ReportGenerator generator,
      Report report,
      JobContext ctx,
      ArtifactOutputStream out,
      ReportProgress progress) {
    try {
      generator.write(report, ctx, out, progress);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.close();
  }

  /** The final step, inside the completing transaction: the file stored, report.completed. */
  private ReportEvent.Artifact complete(
      Report report,
      JobContext ctx,
      ArtifactOutputStream out,
      String filename,
      String contentType) {
    String sha256 = out.sha256();
    artifacts.markStored(out.artifactId(), ctx.jobId(), report.id(), out.size(), sha256);
    ReportEvent.Artifact artifact =
        new ReportEvent.Artifact(out.artifactId(), contentType, out.size(), sha256, filename);
    events.enqueue(
        ReportEvents.event(ReportEvent.COMPLETED, report.id(), ctx).withArtifact(artifact));
    return artifact;
  }

  /**
   * Best-effort removal of an attempt's unfinished file, so that a failed or cancelled report does
   * not keep its chunks until the next sweep; a failure here is left to the sweep.
   */
  private void discard(UUID artifactId) {
    try {
      artifacts.deleteUnstored(artifactId);
    } catch (RuntimeException e) {
      log.warn("Could not delete unfinished artifact {}; the sweep will", artifactId, e);
    }
  }

  /**
   * Reports a cancellation, unless the flag meant a lost lease: the runtime raises it for both, and
   * a rescued attempt must not report anything (its token stays on the job row until the next
   * claim, so the API would still take the event). A heartbeat tells them apart.
   */
  private void cancelled(Report report, JobContext ctx) {
    if (!ctx.heartbeat()) {
      throw new LeaseLostException(ctx.jobId());
    }
    ended(
        report,
        ctx,
        ReportGenerator.Ending.CANCELLED,
        () -> events.enqueue(ReportEvents.event(ReportEvent.CANCELLED, report.id(), ctx)));
  }

  private void fail(Report report, JobContext ctx, String code, String message) {
    log.warn("Report {} failed: {}: {}", report.id(), code, message);
    ended(
        report,
        ctx,
        ReportGenerator.Ending.FAILED,
        () ->
            events.enqueue(
                ReportEvents.event(ReportEvent.FAILED, report.id(), ctx).withError(code, message)));
  }

  /** The durable final event, through the report's generator if this worker knows the type. */
  private void ended(Report report, JobContext ctx, ReportGenerator.Ending ending, Runnable event) {
    ReportGenerator generator = generators.get(report.type());
    if (generator == null) {
      event.run();
    } else {
      generator.ended(report, ctx, ending, event);
    }
  }

  /**
   * A message PostgreSQL can store: it may quote a client's file (voterImport's header), and text
   * and jsonb hold no NUL, so the report.failed payload and the job's error could not be written.
   */
  private static String storable(String message) {
    return message.replace('\u0000', '\uFFFD');
  }

  private UUID reportId(String payload) {
    try {
      JsonNode id = json.readTree(payload).get("reportId");
      return UUID.fromString(id.asString());
    } catch (RuntimeException e) {
      throw JobFailure.permanent("payload must be {\"reportId\": \"<uuid>\"}: " + payload, e);
    }
  }
}
