package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class ArtifactSweepPropertiesTests {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(ArtifactSweepProperties.class)
  static class Config {}

  final ApplicationContextRunner runner =
      new ApplicationContextRunner().withUserConfiguration(Config.class);

  @Test
  void unsetValuesFallBackToDefaults() {
    runner.run(
        context -> {
          ArtifactSweepProperties p = context.getBean(ArtifactSweepProperties.class);
          assertThat(p.interval()).isEqualTo(Duration.ofMinutes(1));
          assertThat(p.batchSize()).isEqualTo(20);
          assertThat(p.maxBatches()).isEqualTo(50);
        });
  }

  @ParameterizedTest
  @CsvSource({"interval, 0s", "interval, -1s", "batch-size, 0", "max-batches, 0"})
  void aBadValueFailsTheStartNamingTheProperty(String property, String value) {
    runner
        .withPropertyValues("conveyor.worker-service.artifact-sweep." + property + "=" + value)
        .run(
            context ->
                assertThat(StartFailure.describe(context.getStartupFailure()))
                    .contains(
                        StartFailure.uniform(
                            "conveyor.worker-service.artifact-sweep." + property)));
  }
}
