package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class VoterImportPropertiesTests {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(VoterImportProperties.class)
  static class Config {}

  final ApplicationContextRunner runner =
      new ApplicationContextRunner().withUserConfiguration(Config.class);

  @Test
  void unsetValuesFallBackToDefaults() {
    runner.run(
        context ->
            assertThat(context.getBean(VoterImportProperties.class).sliceSize()).isEqualTo(2_000));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "100001"})
  void aBadSliceSizeFailsTheStartNamingTheProperty(String value) {
    runner
        .withPropertyValues("conveyor.worker-service.voter-import.slice-size=" + value)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("conveyor.worker-service.voter-import.slice-size"));
  }
}
