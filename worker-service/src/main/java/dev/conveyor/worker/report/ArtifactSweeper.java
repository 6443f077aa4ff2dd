package dev.conveyor.worker.report;

import dev.conveyor.worker.ArtifactSweepProperties;
import dev.conveyor.worker.VoterImportProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deletes unfinished report files whose attempt no longer holds its job (the process was killed,
 * the database was unreachable when the attempt tried to clean up, the lease was lost), with their
 * chunks: see sweep_unstored_artifacts.sql. Every worker replica runs it every {@code
 * artifact-sweep.interval}; concurrent sweeps skip each other's rows, so running it everywhere is
 * harmless. Each batch is its own short transaction; a failure is logged and the next sweep tries
 * again. Counts what it removed in {@code conveyor.artifacts.swept}.
 *
 * <p>Also deletes voterImport's staging rows of jobs that will not run again (final or pruned:
 * their attempt was killed, or it could not delete them), first ending the import's audit row if it
 * still says running (cancelled when the job was, failed otherwise): see
 * find_ended_import_jobs.sql. Deletes of {@code voter-import.slice-size} rows, each its own short
 * transaction, at most {@code max-batches} per sweep; counted in {@code
 * conveyor.import.staging.swept}.
 */
@Component
class ArtifactSweeper implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(ArtifactSweeper.class);

  private final ArtifactRepository artifacts;
  private final ArtifactSweepProperties properties;
  private final ImportStagingRepository staging;
  private final int stagingBatch;
  private final TransactionTemplate ownTransaction;
  private final Counter swept;
  private final Counter stagingSwept;
  private @Nullable ScheduledExecutorService executor;

  ArtifactSweeper(
      ArtifactRepository artifacts,
      ArtifactSweepProperties properties,
      ImportStagingRepository staging,
      VoterImportProperties importProperties,
      PlatformTransactionManager transactions,
      MeterRegistry meters) {
    this.artifacts = artifacts;
    this.properties = properties;
    this.staging = staging;
    this.stagingBatch = importProperties.sliceSize();
    this.ownTransaction = new TransactionTemplate(transactions);
    this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    this.stagingSwept =
        Counter.builder("conveyor.import.staging.swept")
            .description("voterImport staging rows deleted because their job will not run again")
            .register(meters);
    this.swept =
        Counter.builder("conveyor.artifacts.swept")
            .description(
                "Unfinished report files (with their chunks) deleted because their attempt no"
                    + " longer held its job")
            .register(meters);
  }

  /** One sweep now: full batches until one is not, at most max-batches; files deleted. */
  int sweepNow() {
    int total = 0;
    for (int i = 0; i < properties.maxBatches(); i++) {
      int deleted = artifacts.sweepUnstored(properties.batchSize());
      total += deleted;
      if (deleted < properties.batchSize()) {
        break;
      }
    }
    if (total > 0) {
      swept.increment(total);
      log.info("Deleted {} unfinished report files of attempts that no longer run", total);
    }
    return total;
  }

  /**
   * One sweep of voterImport staging rows: for each job that will not run again, its audit row
   * ended, then its rows in bounded deletes; at most max-batches deletes in all. Rows deleted.
   */
  long sweepImportStagingNow() {
    long total = 0;
    int batches = 0;
    for (ImportStagingRepository.EndedJob job : staging.findEndedJobs(properties.maxBatches())) {
      if (Boolean.TRUE.equals(ownTransaction.execute(s -> staging.endAbandonedImport(job)))) {
        log.warn(
            "The import of job {} ended without its attempt ({} job): its audit row now says so",
            job.jobId(),
            job.state() == null ? "pruned" : job.state());
      }
      while (batches < properties.maxBatches()) {
        Integer deleted = ownTransaction.execute(s -> staging.delete(job.jobId(), stagingBatch));
        batches++;
        total += deleted == null ? 0 : deleted;
        if (deleted == null || deleted < stagingBatch) {
          break;
        }
      }
      if (batches >= properties.maxBatches()) {
        break;
      }
    }
    if (total > 0) {
      stagingSwept.increment(total);
      log.info("Deleted {} voterImport staging rows of jobs that will not run again", total);
    }
    return total;
  }

  private void sweepSafely() {
    try {
      sweepNow();
    } catch (RuntimeException | Error e) {
      // An exception would cancel the scheduled task for good: log and sweep again next time.
      log.error(
          "Sweeping unfinished report files failed; trying again in {}", properties.interval(), e);
    }
    try {
      sweepImportStagingNow();
    } catch (RuntimeException | Error e) {
      log.error(
          "Sweeping voterImport staging rows failed; trying again in {}", properties.interval(), e);
    }
  }

  @Override
  public synchronized void start() {
    if (executor != null) {
      return;
    }
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "conveyor-artifact-sweep");
              t.setDaemon(true);
              return t;
            });
    long millis = properties.interval().toMillis();
    executor.scheduleWithFixedDelay(this::sweepSafely, millis, millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    if (executor == null) {
      return;
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor = null;
  }

  @Override
  public synchronized boolean isRunning() {
    return executor != null;
  }
}
