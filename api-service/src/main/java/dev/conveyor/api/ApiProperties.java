package dev.conveyor.api;

import dev.conveyor.contract.Secret;
import dev.conveyor.queue.notify.EnqueueNotifier;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of the API service under {@code conveyor.api}. Every component is optional and
 * falls back to the defaults named here: the binder takes them from {@code @DefaultValue} (where
 * the configuration processor also reads them for the metadata), code that builds a record itself
 * from the {@code DEFAULT_*} constants ({@link #defaults()}); ConfigurationTests checks that the
 * two agree. Single values are checked by Bean Validation when bound (a bad value stops the start
 * naming the property), rules between values by the compact constructors. Zero is never a stand-in
 * for "the default": it is either a valid value or refused.
 *
 * @param bootstrapKey an API key (role admin, client name {@code bootstrap}) created or updated at
 *     start; for local use ({@code CONVEYOR_API_BOOTSTRAP_KEY}); none by default
 * @param callbacks the signed worker-callback receiver
 * @param reports how report jobs are enqueued
 * @param webhooks how client webhooks are enqueued
 * @param events live updates (SSE)
 * @param limits request size and concurrency limits
 * @param auth API key checking
 * @param retention how long files and reports are kept
 * @param storage per-client storage quota and upload rate
 * @param console the operations console's signed-in sessions
 */
@Validated
@ConfigurationProperties("conveyor.api")
public record ApiProperties(
    @Nullable Secret bootstrapKey,
    @DefaultValue @Valid Callbacks callbacks,
    @DefaultValue @Valid Reports reports,
    @DefaultValue @Valid Webhooks webhooks,
    @DefaultValue @Valid Events events,
    @DefaultValue @Valid Limits limits,
    @DefaultValue @Valid Auth auth,
    @DefaultValue @Valid Retention retention,
    @DefaultValue @Valid Storage storage,
    @DefaultValue @Valid Console console) {

  public ApiProperties {
    callbacks = Objects.requireNonNullElseGet(callbacks, () -> new Callbacks(null, null, null));
    reports =
        Objects.requireNonNullElseGet(
            reports,
            () ->
                new Reports(
                    null,
                    Reports.DEFAULT_MAX_ATTEMPTS,
                    null,
                    Reports.DEFAULT_JOBS_AHEAD_CAP,
                    null));
    webhooks =
        Objects.requireNonNullElseGet(
            webhooks, () -> new Webhooks(null, Webhooks.DEFAULT_MAX_ATTEMPTS, false));
    events =
        Objects.requireNonNullElseGet(
            events, () -> new Events(null, null, null, Events.DEFAULT_MAX_STREAMS_PER_CLIENT));
    limits = Objects.requireNonNullElseGet(limits, () -> new Limits(null, null, null, null));
    auth = Objects.requireNonNullElseGet(auth, () -> new Auth(null));
    retention =
        Objects.requireNonNullElseGet(
            retention, () -> new Retention(null, null, null, null, Retention.DEFAULT_BATCH_SIZE));
    storage =
        Objects.requireNonNullElseGet(
            storage, () -> new Storage(null, Storage.DEFAULT_UPLOAD_RATE, null));
    console = Objects.requireNonNullElseGet(console, () -> new Console(null));
  }

  /** Everything at its default. */
  public static ApiProperties defaults() {
    return new ApiProperties(null, null, null, null, null, null, null, null, null, null);
  }

  /**
   * The worker-callback receiver ({@code POST /internal/report-events}, Standard Webhooks).
   *
   * @param secrets the accepted signing secrets, {@code whsec_<base64>}; several during a rotation
   *     (sign with the new one once every API instance accepts it). With none, every callback is
   *     refused.
   * @param tolerance how far a {@code webhook-timestamp} may be from now, either way; 5 minutes
   * @param replayRetention how long applied {@code webhook-id}s are kept to detect replays; at
   *     least twice the tolerance; 1 hour
   */
  public record Callbacks(
      @Nullable List<Secret> secrets,
      @DefaultValue("5m") @DurationMin(nanos = 0, inclusive = false) @Nullable Duration tolerance,
      @DefaultValue("1h") @Nullable Duration replayRetention) {

    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
    public static final Duration DEFAULT_REPLAY_RETENTION = Duration.ofHours(1);

    public Callbacks {
      secrets = secrets == null ? List.of() : List.copyOf(secrets);
      tolerance = Objects.requireNonNullElse(tolerance, DEFAULT_TOLERANCE);
      replayRetention = Objects.requireNonNullElse(replayRetention, DEFAULT_REPLAY_RETENTION);
      if (replayRetention.compareTo(tolerance.multipliedBy(2)) < 0) {
        throw new IllegalArgumentException(
            "conveyor.api.callbacks.replay-retention must be at least twice the tolerance, or a"
                + " replayed callback could pass after its webhook-id was pruned");
      }
    }
  }

  /**
   * Report jobs.
   *
   * @param queue the queue report jobs go to; reports
   * @param maxAttempts attempts per report job; 5
   * @param maxDelay how far in the future {@code runAt} may be; 30 days
   * @param jobsAheadCap {@code jobsAhead} in a submission's answer is counted up to this many
   *     ("this many or more" beyond); 100. The count reads up to this many index entries (and their
   *     rows) per submission while a backlog lasts
   * @param wakeupInterval the least time between two wake-up NOTIFYs the API sends to workers for
   *     new jobs: one is sent after the commit of each submission, coalesced with the others that
   *     commit within this interval; 10 ms. Zero sends one per committed submission (still after
   *     commit)
   */
  public record Reports(
      @DefaultValue("reports") @NotBlank @Nullable String queue,
      @DefaultValue("5") @Min(1) int maxAttempts,
      @DefaultValue("30d") @DurationMin(nanos = 0, inclusive = false) @Nullable Duration maxDelay,
      @DefaultValue("100") @Min(1) long jobsAheadCap,
      @DefaultValue("10ms") @DurationMin(nanos = 0) @Nullable Duration wakeupInterval) {

    public static final String DEFAULT_QUEUE = "reports";
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofDays(30);
    public static final long DEFAULT_JOBS_AHEAD_CAP = 100;

    public Reports {
      queue = Objects.requireNonNullElse(queue, DEFAULT_QUEUE);
      maxDelay = Objects.requireNonNullElse(maxDelay, DEFAULT_MAX_DELAY);
      wakeupInterval = Objects.requireNonNullElse(wakeupInterval, EnqueueNotifier.DEFAULT_INTERVAL);
    }
  }

  /**
   * Client webhooks (to a report's {@code callbackUrl}), delivered by the worker.
   *
   * @param queue the queue webhook jobs go to; webhooks
   * @param maxAttempts delivery attempts; 12
   * @param allowPrivateAddresses whether a {@code callbackUrl} may name {@code localhost} or a
   *     loopback, private, link-local or other non-public IP address; {@code false} by default
   *     (such URLs are refused with 422). For local development. Host names are not resolved here:
   *     the worker checks the addresses it connects to ({@code
   *     conveyor.worker-service.webhooks.allow-private-addresses})
   */
  public record Webhooks(
      @DefaultValue("webhooks") @NotBlank @Nullable String queue,
      @DefaultValue("12") @Min(1) int maxAttempts,
      @DefaultValue("false") boolean allowPrivateAddresses) {

    public static final String DEFAULT_QUEUE = "webhooks";
    public static final int DEFAULT_MAX_ATTEMPTS = 12;

    public Webhooks {
      queue = Objects.requireNonNullElse(queue, DEFAULT_QUEUE);
    }
  }

  /**
   * Live updates ({@code GET /api/reports/{id}/events}).
   *
   * @param heartbeat how often an idle stream gets a comment line, so proxies keep it open; 15 s
   * @param timeout how long one stream may stay open; the client reconnects after; 30 minutes
   * @param listenUrl a JDBC URL for the LISTEN connection when {@code spring.datasource.url} goes
   *     through a transaction pooler (LISTEN needs a session); the datasource URL by default
   * @param maxStreamsPerClient how many streams one client may have open at once on this instance
   *     (each holds a connection for up to the timeout); more are refused with 429; 100
   */
  public record Events(
      @DefaultValue("15s") @DurationMin(nanos = 0, inclusive = false) @Nullable Duration heartbeat,
      @DefaultValue("30m") @DurationMin(nanos = 0, inclusive = false) @Nullable Duration timeout,
      @Nullable String listenUrl,
      @DefaultValue("100") @Min(1) int maxStreamsPerClient) {

    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);
    public static final int DEFAULT_MAX_STREAMS_PER_CLIENT = 100;

    public Events {
      heartbeat = Objects.requireNonNullElse(heartbeat, DEFAULT_HEARTBEAT);
      timeout = Objects.requireNonNullElse(timeout, DEFAULT_TIMEOUT);
      if (listenUrl != null && listenUrl.isBlank()) {
        // Blank is not "unset" here: unset (the datasource URL) is written by leaving it out.
        throw new IllegalArgumentException(
            "conveyor.api.events.listen-url must not be blank (leave it unset for the datasource"
                + " URL)");
      }
      if (heartbeat.compareTo(timeout) >= 0) {
        throw new IllegalArgumentException(
            "conveyor.api.events.heartbeat must be shorter than conveyor.api.events.timeout");
      }
    }
  }

  /**
   * Request limits.
   *
   * @param jsonBody JSON requests; 64 KB. A larger body is refused with 413 before it is read
   * @param upload file uploads ({@code POST /api/uploads}); 20 MB
   * @param concurrentRequests how many API requests run at once; the others wait in order of
   *     arrival. Downloads and uploads are not counted (they run at the client's pace). Unset: four
   *     per available processor
   * @param admissionTimeout how long a request waits for its turn before it is refused with 503 and
   *     {@code Retry-After}; 5 s
   */
  public record Limits(
      @DefaultValue("64KB") @Nullable DataSize jsonBody,
      @DefaultValue("20MB") @Nullable DataSize upload,
      @Min(1) @Nullable Integer concurrentRequests,
      @DefaultValue("5s") @DurationMin(nanos = 0) @Nullable Duration admissionTimeout) {

    public static final DataSize DEFAULT_JSON_BODY = DataSize.ofKilobytes(64);
    public static final DataSize DEFAULT_UPLOAD = DataSize.ofMegabytes(20);
    public static final Duration DEFAULT_ADMISSION_TIMEOUT = Duration.ofSeconds(5);

    public Limits {
      jsonBody = Objects.requireNonNullElse(jsonBody, DEFAULT_JSON_BODY);
      upload = Objects.requireNonNullElse(upload, DEFAULT_UPLOAD);
      // Unset (null) is the only way to ask for the processor-based default; 0 is refused.
      concurrentRequests =
          Objects.requireNonNullElseGet(
              concurrentRequests, () -> 4 * Runtime.getRuntime().availableProcessors());
      admissionTimeout = Objects.requireNonNullElse(admissionTimeout, DEFAULT_ADMISSION_TIMEOUT);
      positive("json-body", jsonBody);
      positive("upload", upload);
    }

    private static void positive(String name, DataSize value) {
      // Bean Validation has no constraint for DataSize.
      if (value.toBytes() < 1) {
        throw new IllegalArgumentException(
            "conveyor.api.limits." + name + " must be positive, was " + value);
      }
    }
  }

  /**
   * API key checking.
   *
   * @param cacheTtl how long a checked key is remembered before it is looked up again (so a revoked
   *     key stops working within this time); 30 s
   */
  public record Auth(@DefaultValue("30s") @DurationMin(nanos = 0) @Nullable Duration cacheTtl) {

    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(30);

    public Auth {
      cacheTtl = Objects.requireNonNullElse(cacheTtl, DEFAULT_CACHE_TTL);
    }
  }

  /**
   * How long stored data is kept; a sweep on every API replica (one at a time across the cluster)
   * deletes what is past it, in batches of one short transaction each.
   *
   * @param uploads an upload no unfinished report or job needs is deleted this long after it was
   *     stored; 24 hours
   * @param artifacts a completed report's file is deleted this long after the report completed (the
   *     report then shows {@code artifactExpiredAt}, the download answers 410); 30 days
   * @param reports a report in a final status is deleted this long after it got there (then it is a
   *     404 like any unknown report); 90 days, and never less than {@code artifacts}
   * @param interval how often the sweep runs; 5 minutes
   * @param batchSize rows deleted per transaction; 200
   */
  public record Retention(
      @DefaultValue("24h") @DurationMin(nanos = 0, inclusive = false) @Nullable Duration uploads,
      @DefaultValue("30d") @DurationMin(nanos = 0, inclusive = false) @Nullable Duration artifacts,
      @DefaultValue("90d") @DurationMin(nanos = 0, inclusive = false) @Nullable Duration reports,
      @DefaultValue("5m") @DurationMin(nanos = 0, inclusive = false) @Nullable Duration interval,
      @DefaultValue("200") @Min(1) @Max(10_000) int batchSize) {

    public static final Duration DEFAULT_UPLOADS = Duration.ofHours(24);
    public static final Duration DEFAULT_ARTIFACTS = Duration.ofDays(30);
    public static final Duration DEFAULT_REPORTS = Duration.ofDays(90);
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
    public static final int DEFAULT_BATCH_SIZE = 200;

    public Retention {
      uploads = Objects.requireNonNullElse(uploads, DEFAULT_UPLOADS);
      artifacts = Objects.requireNonNullElse(artifacts, DEFAULT_ARTIFACTS);
      reports = Objects.requireNonNullElse(reports, DEFAULT_REPORTS);
      interval = Objects.requireNonNullElse(interval, DEFAULT_INTERVAL);
      if (reports.compareTo(artifacts) < 0) {
        throw new IllegalArgumentException(
            "conveyor.api.retention.reports must be at least conveyor.api.retention.artifacts:"
                + " a report's file is never kept longer than the report");
      }
    }
  }

  /**
   * Per-client storage limits, counted in the database (they hold across API replicas).
   *
   * @param quota bytes of files (uploads and report outputs) one client may hold; an upload that
   *     would exceed it is refused with 413, and so is a report submission while the client is at
   *     or over it; 1 GB. A client's own quota, if set ({@code client_storage.quota_bytes}), wins
   * @param uploadRate uploads one client may make per {@code uploadRatePeriod} (all at once, or
   *     spread); more are refused with 429 and {@code Retry-After}; 30
   * @param uploadRatePeriod the period of {@code uploadRate}; 1 minute
   */
  public record Storage(
      @DefaultValue("1GB") @Nullable DataSize quota,
      @DefaultValue("30") @Min(1) int uploadRate,
      @DefaultValue("1m") @DurationMin(millis = 1) @Nullable Duration uploadRatePeriod) {

    public static final DataSize DEFAULT_QUOTA = DataSize.ofGigabytes(1);
    public static final int DEFAULT_UPLOAD_RATE = 30;
    public static final Duration DEFAULT_UPLOAD_RATE_PERIOD = Duration.ofMinutes(1);

    public Storage {
      quota = Objects.requireNonNullElse(quota, DEFAULT_QUOTA);
      uploadRatePeriod = Objects.requireNonNullElse(uploadRatePeriod, DEFAULT_UPLOAD_RATE_PERIOD);
      if (quota.isNegative()) {
        // Bean Validation has no constraint for DataSize. 0 is valid: no files at all.
        throw new IllegalArgumentException("conveyor.api.storage.quota must not be negative");
      }
    }
  }

  /**
   * The operations console ({@code /console}), which an admin signs in to with an admin API key.
   *
   * @param sessionTimeout how long a console session lasts without a request (the admin then signs
   *     in again); 30 minutes, 1 minute to 24 hours
   */
  public record Console(
      @DefaultValue("30m") @DurationMin(minutes = 1) @DurationMax(hours = 24)
          @Nullable Duration sessionTimeout) {

    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofMinutes(30);

    public Console {
      sessionTimeout = Objects.requireNonNullElse(sessionTimeout, DEFAULT_SESSION_TIMEOUT);
    }
  }
}
