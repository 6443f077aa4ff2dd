package dev.conveyor.worker;

import dev.conveyor.contract.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The worker service's settings ({@code conveyor.worker-service.*}, environment {@code
 * CONVEYOR_WORKER_SERVICE_*}). Queue settings (concurrency per queue, lease, retry) are
 * queue-core's {@code conveyor.worker.*} and {@code conveyor.queue.*}.
 *
 * @param apiBaseUrl where the API listens, e.g. {@code http://api:8080}; callbacks go to {@code
 *     <apiBaseUrl>/internal/report-events}
 * @param callbackSecret the {@code whsec_<base64>} secret callbacks are signed with; the API must
 *     list it in {@code conveyor.api.callbacks.secrets}
 * @param connectTimeout TCP connect timeout of callback requests
 * @param requestTimeout the whole callback request's timeout, response included
 * @param callbacksQueue the queue of {@code callback.deliver} jobs
 * @param callbackMaxAttempts attempts of a durable callback before it is discarded
 * @param progressInterval least time between two best-effort {@code report.progress} callbacks
 * @param fetchSize rows per slice while a report reads the registry: each slice is one short
 *     statement of its own, outside any transaction (keyset pagination); also the rows per round
 *     trip of voterImport's reject list
 */
@ConfigurationProperties("conveyor.worker-service")
public record WorkerServiceProperties(
    URI apiBaseUrl,
    Secret callbackSecret,
    @DefaultValue("5s") Duration connectTimeout,
    @DefaultValue("10s") Duration requestTimeout,
    @DefaultValue("callbacks") String callbacksQueue,
    @DefaultValue("25") int callbackMaxAttempts,
    @DefaultValue("2s") Duration progressInterval,
    @DefaultValue("1000") int fetchSize) {

  public WorkerServiceProperties {
    Objects.requireNonNull(
        apiBaseUrl, "conveyor.worker-service.api-base-url is required (e.g. http://api:8080)");
    Objects.requireNonNull(
        callbackSecret, "conveyor.worker-service.callback-secret is required (whsec_<base64>)");
    if (!apiBaseUrl.isAbsolute() || !apiBaseUrl.getScheme().matches("https?")) {
      throw new IllegalArgumentException(
          "conveyor.worker-service.api-base-url must be an absolute http(s) URL");
    }
    requirePositive(connectTimeout, "connect-timeout");
    requirePositive(requestTimeout, "request-timeout");
    requirePositive(progressInterval, "progress-interval");
    if (callbackMaxAttempts < 1) {
      throw new IllegalArgumentException(
          "conveyor.worker-service.callback-max-attempts must be at least 1");
    }
    if (fetchSize < 1) {
      throw new IllegalArgumentException("conveyor.worker-service.fetch-size must be at least 1");
    }
  }

  private static void requirePositive(Duration d, String name) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("conveyor.worker-service." + name + " must be positive");
    }
  }
}
