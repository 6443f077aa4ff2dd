package dev.conveyor.examples.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** A bad setting stops the start-up, naming the property; the defaults are the documented ones. */
class SettingsTests {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(CampaignSettings.class)
  static class Settings {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withUserConfiguration(Settings.class)
          .withPropertyValues("campaign.endpoint=http://localhost:1/messages");

  @Test
  void defaultsAreTwentyPerSecondWithAQuarterSecondMarginAndADailyCleanup() {
    runner.run(
        context -> {
          CampaignSettings settings = context.getBean(CampaignSettings.class);
          assertThat(settings.rateLimit()).isEqualTo(20);
          assertThat(settings.ratePeriod()).hasSeconds(1);
          assertThat(settings.rateMargin()).hasMillis(250);
          assertThat(settings.cleanup().cron()).isEqualTo("0 0 3 * * *");
          assertThat(settings.cleanup().retention()).hasDays(30);
          assertThat(QueueSetup.messageLimits(settings).rateLimit()).isEqualTo(20);
          assertThat(QueueSetup.messageLimits(settings).ratePeriod()).hasMillis(1250);
          assertThat(QueueSetup.messageLimits(settings).maxRunningPerKey()).isEqualTo(1);
        });
  }

  @Test
  void aRateLimitOfZeroStopsTheStartNamingTheProperty() {
    runner
        .withPropertyValues("campaign.rate-limit=0")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("campaign")
                    .hasMessageContaining("rateLimit"));
  }

  @Test
  void aMissingEndpointStopsTheStartNamingTheProperty() {
    new ApplicationContextRunner()
        .withUserConfiguration(Settings.class)
        .run(context -> assertThat(context).getFailure().hasStackTraceContaining("endpoint"));
  }

  @Test
  void aBadCronStopsTheStartNamingTheProperty() {
    runner
        .withPropertyValues("campaign.cleanup.cron=every day")
        .run(
            context ->
                assertThat(context).getFailure().hasStackTraceContaining("campaign.cleanup.cron"));
  }
}
