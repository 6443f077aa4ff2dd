package dev.conveyor.worker;

import dev.conveyor.queue.ExponentialBackoff;
import dev.conveyor.queue.RetryPolicy;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The backoff between delivery attempts of {@code callback.deliver} and {@code webhook.deliver}
 * ({@code conveyor.worker-service.delivery-retry.*}). Unset (the default), deliveries use the
 * runtime's policy ({@code conveyor.queue.retry.*}), like every other job kind; set {@code base} to
 * give deliveries their own, e.g. a shorter cap so that reports finish soon after an API outage.
 *
 * @param base delay after the first failed attempt; unset: the runtime's policy
 * @param cap the longest delay; 1 hour when {@code base} is set ({@link
 *     ExponentialBackoff#DEFAULT_CAP})
 * @param jitter the spread, 0 to 1; 0.2 when {@code base} is set ({@link
 *     ExponentialBackoff#DEFAULT_JITTER})
 */
@Validated
@ConfigurationProperties("conveyor.worker-service.delivery-retry")
public record DeliveryRetryProperties(
    @DurationMin(nanos = 0, inclusive = false) @Nullable Duration base,
    @DurationMin(nanos = 0, inclusive = false) @Nullable Duration cap,
    @DecimalMin("0") @DecimalMax("1") @Nullable Double jitter) {

  public DeliveryRetryProperties {
    if (base == null && (cap != null || jitter != null)) {
      throw new IllegalArgumentException(
          "conveyor.worker-service.delivery-retry.base is required when cap or jitter is set");
    }
    // Fails the start on an invalid combination (cap below base) rather than at the first retry.
    // Single bad values are left to Bean Validation, which names the property. (The fields are not
    // assigned yet inside a compact constructor, so the parameters are passed.)
    boolean singleValuesValid =
        (base == null || base.isPositive())
            && (cap == null || cap.isPositive())
            && (jitter == null || (jitter >= 0 && jitter <= 1));
    if (singleValuesValid) {
      try {
        backoff(base, cap, jitter);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "conveyor.worker-service.delivery-retry: " + e.getMessage(), e);
      }
    }
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
