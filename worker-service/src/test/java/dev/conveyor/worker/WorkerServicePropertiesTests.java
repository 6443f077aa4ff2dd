package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class WorkerServicePropertiesTests {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(WorkerServiceProperties.class)
  static class Config {}

  final ApplicationContextRunner runner =
      new ApplicationContextRunner().withUserConfiguration(Config.class);

  @Test
  void unsetValuesFallBackToDefaultsAndTheSecretIsRedacted() {
    runner
        .withPropertyValues(
            "conveyor.worker-service.api-base-url=http://api:8080",
            "conveyor.worker-service.callback-secret=whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=")
        .run(
            context -> {
              WorkerServiceProperties p = context.getBean(WorkerServiceProperties.class);
              assertThat(p.apiBaseUrl()).hasToString("http://api:8080");
              assertThat(p.callbackSecret().reveal())
                  .isEqualTo("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=");
              assertThat(p.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
              assertThat(p.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
              assertThat(p.callbacksQueue()).isEqualTo("callbacks");
              assertThat(p.callbackMaxAttempts()).isEqualTo(25);
              assertThat(p.progressInterval()).isEqualTo(Duration.ofSeconds(2));
              assertThat(p.fetchSize()).isEqualTo(1000);
              assertThat(p.toString()).doesNotContain("c2VjcmV0");
            });
  }

  @Test
  void aMissingApiBaseUrlFailsTheStartWithTheProperty() {
    runner
        .withPropertyValues(
            "conveyor.worker-service.callback-secret=whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=")
        .run(
            context ->
                assertThat(StartFailure.describe(context.getStartupFailure()))
                    .contains(StartFailure.uniform("conveyor.worker-service.api-base-url")));
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "api-base-url, ftp://api:21",
    "api-base-url, api:8080",
    "connect-timeout, 0s",
    "request-timeout, -1s",
    "progress-interval, 0s",
    "callbacks-queue, ' '",
    "callback-max-attempts, 0",
    "fetch-size, 0",
  })
  void aBadValueFailsTheStartNamingTheProperty(String property, String value) {
    runner
        .withPropertyValues(
            "conveyor.worker-service.api-base-url=http://api:8080",
            "conveyor.worker-service.callback-secret=whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=",
            "conveyor.worker-service." + property + "=" + value)
        .run(
            context ->
                assertThat(StartFailure.describe(context.getStartupFailure()))
                    .contains(StartFailure.uniform("conveyor.worker-service." + property)));
  }

  @Test
  void aMissingSecretFailsTheStartWithTheProperty() {
    runner
        .withPropertyValues("conveyor.worker-service.api-base-url=http://api:8080")
        .run(
            context ->
                assertThat(StartFailure.describe(context.getStartupFailure()))
                    .contains(StartFailure.uniform("conveyor.worker-service.callback-secret")));
  }
}
