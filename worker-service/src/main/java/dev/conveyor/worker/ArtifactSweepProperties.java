package dev.conveyor.worker;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The sweep of unfinished report files ({@code conveyor.worker-service.artifact-sweep.*},
 * environment {@code CONVEYOR_WORKER_SERVICE_ARTIFACT_SWEEP_*}): files whose writing attempt died,
 * failed, was cancelled or lost its lease before the file was stored, with their chunks.
 *
 * @param interval time between two sweeps of this worker (every replica sweeps; concurrent sweeps
 *     take disjoint rows); 1 minute by default
 * @param batchSize files deleted per statement (each its own short transaction; a file's chunks go
 *     with it); 20 by default. A sweep repeats full batches, at most {@code maxBatches} times
 * @param maxBatches bound on one sweep's work; 50 by default
 */
@ConfigurationProperties("conveyor.worker-service.artifact-sweep")
public record ArtifactSweepProperties(
    @DefaultValue("1m") Duration interval,
    @DefaultValue("20") int batchSize,
    @DefaultValue("50") int maxBatches) {

  public ArtifactSweepProperties {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException(
          "conveyor.worker-service.artifact-sweep.interval must be positive, was " + interval);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException(
          "conveyor.worker-service.artifact-sweep.batch-size must be at least 1, was " + batchSize);
    }
    if (maxBatches < 1) {
      throw new IllegalArgumentException(
          "conveyor.worker-service.artifact-sweep.max-batches must be at least 1, was "
              + maxBatches);
    }
  }
}
