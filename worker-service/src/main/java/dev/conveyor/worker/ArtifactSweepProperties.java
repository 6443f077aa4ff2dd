package dev.conveyor.worker;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

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
@Validated
@ConfigurationProperties("conveyor.worker-service.artifact-sweep")
public record ArtifactSweepProperties(
    @DefaultValue("1m") @DurationMin(nanos = 0, inclusive = false) Duration interval,
    @DefaultValue("20") @Min(1) int batchSize,
    @DefaultValue("50") @Min(1) int maxBatches) {}
