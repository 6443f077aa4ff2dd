package dev.conveyor.worker;

import dev.conveyor.contract.Secret;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The worker service's settings ({@code conveyor.worker-service.*}, environment {@code
 * CONVEYOR_WORKER_SERVICE_*}). Queue settings (concurrency per queue, lease, retry) are
 * queue-core's {@code conveyor.worker.*} and {@code conveyor.queue.*}.
 *
 * <p>Single values are checked by Bean Validation when bound: a bad value stops the start naming
 * the property.
 *
 * @param apiBaseUrl where the API listens, e.g. {@code http://api:8080}; callbacks go to {@code
 *     <apiBaseUrl>/internal/report-events}; required
 * @param callbackSecret the {@code whsec_<base64>} secret callbacks are signed with; the API must
 *     list it in {@code conveyor.api.callbacks.secrets} (compose passes both the one {@code
 *     CONVEYOR_CALLBACK_SECRET} of {@code .env}); required
 * @param connectTimeout TCP connect timeout of callback requests
 * @param requestTimeout the whole callback request's timeout, response included
 * @param callbacksQueue the queue of {@code callback.deliver} jobs
 * @param callbackMaxAttempts attempts of a durable callback before it is discarded
 * @param progressInterval least time between two best-effort {@code report.progress} callbacks
 * @param fetchSize rows per slice while a report reads the registry: each slice is one short
 *     statement of its own, outside any transaction (keyset pagination); also the rows per round
 *     trip of voterImport's reject list
 */
@Validated
@ConfigurationProperties("conveyor.worker-service")
public record WorkerServiceProperties(
    @NotNull URI apiBaseUrl,
    @NotNull Secret callbackSecret,
    @DefaultValue("5s") @DurationMin(nanos = 0, inclusive = false) Duration connectTimeout,
    @DefaultValue("10s") @DurationMin(nanos = 0, inclusive = false) Duration requestTimeout,
    @DefaultValue("callbacks") @NotBlank String callbacksQueue,
    @DefaultValue("25") @Min(1) int callbackMaxAttempts,
    @DefaultValue("2s") @DurationMin(nanos = 0, inclusive = false) Duration progressInterval,
    @DefaultValue("1000") @Min(1) int fetchSize) {

  public WorkerServiceProperties {
    // A missing URL or secret is reported by Bean Validation (@NotNull) after binding; the scheme
    // is checked here because no standard constraint reads a URI's parts.
    if (apiBaseUrl != null
        && (!apiBaseUrl.isAbsolute() || !apiBaseUrl.getScheme().matches("https?"))) {
      throw new IllegalArgumentException(
          "conveyor.worker-service.api-base-url must be an absolute http(s) URL");
    }
  }
}
