package dev.conveyor.worker;

import dev.conveyor.queue.ExponentialBackoff;
import dev.conveyor.queue.RetryPolicy;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The backoff between delivery attempts of {@code callback.deliver} and {@code webhook.deliver}
 * ({@code conveyor.worker-service.delivery-retry.*}). Unset (the default), deliveries use the
 * runtime's policy ({@code conveyor.queue.retry.*}), like every other job kind; set {@code base} to
 * give deliveries their own, e.g. a shorter cap so that reports finish soon after an API outage.
 *
 * @param base delay after the first failed attempt; unset: the runtime's policy
 * @param cap the longest delay; default {@link ExponentialBackoff#DEFAULT_CAP}
 * @param jitter the spread, 0 to 1; default {@link ExponentialBackoff#DEFAULT_JITTER}
 */
@ConfigurationProperties("conveyor.worker-service.delivery-retry")
public record DeliveryRetryProperties(
    java.time.@Nullable Duration base, java.time.@Nullable Duration cap, @Nullable Double jitter) {

  public DeliveryRetryProperties {
    if (base == null && (cap != null || jitter != null)) {
      throw new IllegalArgumentException(
          "conveyor.worker-service.delivery-retry.base is required when cap or jitter is set");
    }
    // Fails the start on an invalid combination rather than at the first retry. (The fields are
    // not assigned yet inside a compact constructor, so the parameters are passed.)
    backoff(base, cap, jitter);
  }

  /** The deliveries' backoff, or {@code null} for the runtime's. */
  public @Nullable RetryPolicy policy() {
    return backoff(base, cap, jitter);
  }

  private static @Nullable ExponentialBackoff backoff(
      @Nullable Duration base, @Nullable Duration cap, @Nullable Double jitter) {
    if (base == null) {
      return null;
    }
    return new ExponentialBackoff(
        base,
        cap != null ? cap : ExponentialBackoff.DEFAULT_CAP,
        jitter != null ? jitter : ExponentialBackoff.DEFAULT_JITTER);
  }
}
