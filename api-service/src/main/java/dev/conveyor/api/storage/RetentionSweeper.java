package dev.conveyor.api.storage;

import dev.conveyor.api.ApiProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deletes what is past its retention ({@code conveyor.api.retention.*}): the files of completed
 * reports (the report stays and says when its file expired), reports in a final status, and uploads
 * no unfinished report or job needs. Runs every {@code interval} on every API replica, in batches
 * of {@code batch-size} rows, each its own short transaction that first takes a cluster-wide
 * advisory lock: a replica that does not get it leaves the round to the one sweeping. Failures are
 * logged and the next round tries again.
 */
@Component
class RetentionSweeper implements SchedulingConfigurer {

  /** Bytes of report files deleted per transaction at most (the first file always). */
  static final long BATCH_BYTES = 256L << 20;

  private static final Logger log = LoggerFactory.getLogger(RetentionSweeper.class);

  private final StorageRepository storage;
  private final TransactionTemplate transaction;
  private final ApiProperties.Retention retention;
  private final InstantSource clock;
  private final Counter uploadsDeleted;
  private final Counter artifactsDeleted;
  private final Counter reportsDeleted;

  RetentionSweeper(
      StorageRepository storage,
      PlatformTransactionManager transactionManager,
      ApiProperties properties,
      MeterRegistry meters) {
    this.storage = storage;
    this.transaction = new TransactionTemplate(transactionManager);
    this.retention = properties.retention();
    this.clock = InstantSource.system();
    this.uploadsDeleted = deleted(meters, "upload");
    this.artifactsDeleted = deleted(meters, "artifact");
    this.reportsDeleted = deleted(meters, "report");
  }

  private static Counter deleted(MeterRegistry meters, String kind) {
    return Counter.builder("conveyor.api.retention.deleted")
        .description("Rows deleted after their retention")
        .tag("kind", kind)
        .register(meters);
  }

  @Override
  public void configureTasks(ScheduledTaskRegistrar tasks) {
    tasks.addFixedDelayTask(
        new FixedDelayTask(this::scheduled, retention.interval(), retention.interval()));
  }

  void scheduled() {
    try {
      Swept swept = sweep(clock.instant());
      if (swept.total() > 0) {
        log.info(
            "Retention: deleted {} report files, {} reports, {} unused uploads",
            swept.artifacts(),
            swept.reports(),
            swept.uploads());
      }
    } catch (RuntimeException e) {
      log.error("Retention sweep failed; trying again in {}", retention.interval(), e);
    }
  }

  /**
   * What one sweep deleted.
   *
   * @param artifacts report files deleted after the artifact retention
   * @param reports reports deleted after the report retention
   * @param uploads unused uploads deleted after the upload retention
   * @param skipped whether another replica held the sweep lock, so this one stopped
   */
  record Swept(int artifacts, int reports, int uploads, boolean skipped) {

    int total() {
      return artifacts + reports + uploads;
    }
  }

  /**
   * Deletes everything past its retention as of {@code now}, a batch at a time: report files first,
   * then reports (only those without a file, which a report past its retention is once the file
   * pass ran), then uploads (a deleted report may have been the last to need one).
   */
  Swept sweep(Instant now) {
    int batch = retention.batchSize();
    Instant artifactCutoff = now.minus(retention.artifacts());
    Instant reportCutoff = now.minus(retention.reports());
    Instant uploadCutoff = now.minus(retention.uploads());

    int artifacts = 0;
    int reports = 0;
    int uploads = 0;
    @Nullable Integer n;
    while ((n = batch(() -> storage.expireArtifacts(artifactCutoff, now, batch, BATCH_BYTES)))
        != null) {
      artifacts += n;
      artifactsDeleted.increment(n);
      if (n == 0) {
        break;
      }
    }
    if (n != null) {
      while ((n = batch(() -> storage.deleteExpiredReports(reportCutoff, batch))) != null) {
        reports += n;
        reportsDeleted.increment(n);
        if (n == 0) {
          break;
        }
      }
    }
    if (n != null) {
      while ((n = batch(() -> deleteUnusedUploads(uploadCutoff, batch))) != null) {
        uploads += n;
        uploadsDeleted.increment(n);
        if (n == 0) {
          break;
        }
      }
    }
    return new Swept(artifacts, reports, uploads, n == null);
  }

  /** Two statements in one transaction: see lock_unused_uploads.sql. */
  private int deleteUnusedUploads(Instant cutoff, int batch) {
    List<UUID> locked = storage.lockUnusedUploads(cutoff, batch);
    return locked.isEmpty() ? 0 : storage.deleteUnusedUploads(locked);
  }

  /** One batch in its own transaction, if this replica gets the sweep lock; null if not. */
  private @Nullable Integer batch(Supplier<Integer> work) {
    return transaction.execute(status -> storage.trySweepLock() ? work.get() : null);
  }
}
