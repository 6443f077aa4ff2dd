package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.queue.ExponentialBackoff;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** {@link WebhookProperties} and {@link DeliveryRetryProperties}: defaults and validation. */
class DeliveryPropertiesTests {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties({WebhookProperties.class, DeliveryRetryProperties.class})
  static class Config {}

  final ApplicationContextRunner runner =
      new ApplicationContextRunner().withUserConfiguration(Config.class);

  @Test
  void privateAddressesAreRefusedAndDeliveriesUseTheRuntimesBackoffByDefault() {
    runner.run(
        context -> {
          assertThat(context.getBean(WebhookProperties.class).allowPrivateAddresses()).isFalse();
          assertThat(context.getBean(DeliveryRetryProperties.class).policy()).isNull();
        });
  }

  @Test
  void bothAreSettable() {
    runner
        .withPropertyValues(
            "conveyor.worker-service.webhooks.allow-private-addresses=true",
            "conveyor.worker-service.delivery-retry.base=250ms",
            "conveyor.worker-service.delivery-retry.cap=5m")
        .run(
            context -> {
              assertThat(context.getBean(WebhookProperties.class).allowPrivateAddresses()).isTrue();
              assertThat(context.getBean(DeliveryRetryProperties.class).policy())
                  .isEqualTo(
                      new ExponentialBackoff(
                          Duration.ofMillis(250),
                          Duration.ofMinutes(5),
                          ExponentialBackoff.DEFAULT_JITTER));
            });
  }

  @Test
  void aCapWithoutABaseFailsTheStart() {
    runner
        .withPropertyValues("conveyor.worker-service.delivery-retry.cap=5m")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("conveyor.worker-service.delivery-retry.base"));
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "webhooks.give-up-after, 0s",
    "delivery-retry.base, 0s",
    "delivery-retry.cap, -1s",
    "delivery-retry.jitter, 1.5",
    "delivery-retry.jitter, -0.1",
  })
  void aBadValueFailsTheStartNamingTheProperty(String property, String value) {
    runner
        .withPropertyValues(
            "conveyor.worker-service.delivery-retry.base=1s",
            "conveyor.worker-service." + property + "=" + value)
        .run(
            context ->
                assertThat(StartFailure.describe(context.getStartupFailure()))
                    .contains(StartFailure.uniform("conveyor.worker-service." + property)));
  }

  @Test
  void aCapBelowTheBaseFailsTheStart() {
    runner
        .withPropertyValues(
            "conveyor.worker-service.delivery-retry.base=10s",
            "conveyor.worker-service.delivery-retry.cap=1s")
        .run(
            context ->
                assertThat(StartFailure.describe(context.getStartupFailure()))
                    .contains("conveyor.workerservice.deliveryretry")
                    .contains("cap"));
  }
}
