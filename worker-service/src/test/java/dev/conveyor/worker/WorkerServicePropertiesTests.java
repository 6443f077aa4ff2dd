package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
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
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("conveyor.worker-service.api-base-url"));
  }
}
