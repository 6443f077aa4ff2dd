package dev.conveyor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.contract.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

class ConfigurationTests {

  @Test
  void secretsNeverPrintThemselves() {
    Secret secret = new Secret("whsec_c3VwZXItc2VjcmV0LWtleS1tYXRlcmlhbA==");
    ApiProperties properties =
        bind(
            Map.of(
                "conveyor.api.bootstrap-key",
                "cvk_bootstrap-key-for-tests",
                "conveyor.api.callbacks.secrets",
                secret.reveal()));

    assertThat(secret.toString()).doesNotContain("c3VwZXI");
    assertThat(properties.toString())
        .doesNotContain("c3VwZXI", "cvk_bootstrap")
        .contains("Secret[******]");
    assertThat(properties.callbacks().secrets()).containsExactly(secret);
  }

  @Test
  void unsetValuesFallBackToTheDefaults() {
    ApiProperties properties = bind(Map.of());

    assertThat(properties).isEqualTo(ApiProperties.defaults());
    assertThat(properties.bootstrapKey()).isNull();
    assertThat(properties.callbacks().secrets()).isEmpty();
    assertThat(properties.callbacks().tolerance()).isEqualTo(Duration.ofMinutes(5));
    assertThat(properties.callbacks().replayRetention()).isEqualTo(Duration.ofHours(1));
    assertThat(properties.reports().queue()).isEqualTo("reports");
    assertThat(properties.reports().maxAttempts()).isEqualTo(5);
    assertThat(properties.webhooks().queue()).isEqualTo("webhooks");
    assertThat(properties.webhooks().allowPrivateAddresses()).isFalse();
    assertThat(properties.events().heartbeat()).isEqualTo(Duration.ofSeconds(15));
    assertThat(properties.limits().jsonBody()).isEqualTo(DataSize.ofKilobytes(64));
    assertThat(properties.limits().concurrentRequests())
        .isEqualTo(4 * Runtime.getRuntime().availableProcessors());
    assertThat(properties.limits().admissionTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void limitsBindAndNonsenseIsRefusedNamingTheProperty() {
    ApiProperties properties =
        bind(
            Map.of(
                "conveyor.api.limits.concurrent-requests", "16",
                "conveyor.api.limits.admission-timeout", "250ms"));
    assertThat(properties.limits().concurrentRequests()).isEqualTo(16);
    assertThat(properties.limits().admissionTimeout()).isEqualTo(Duration.ofMillis(250));

    assertThatThrownBy(() -> new ApiProperties.Limits(null, null, -1, null))
        .hasMessageContaining("conveyor.api.limits.concurrent-requests");
    assertThatThrownBy(() -> new ApiProperties.Limits(null, null, 0, Duration.ofSeconds(-1)))
        .hasMessageContaining("conveyor.api.limits.admission-timeout");
  }

  @Test
  void retentionAndStorageBindWithTheirDefaultsAndRefuseNonsenseByName() {
    ApiProperties defaults = bind(Map.of());
    assertThat(defaults.retention().uploads()).isEqualTo(Duration.ofHours(24));
    assertThat(defaults.retention().artifacts()).isEqualTo(Duration.ofDays(30));
    assertThat(defaults.retention().reports()).isEqualTo(Duration.ofDays(90));
    assertThat(defaults.retention().interval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(defaults.retention().batchSize()).isEqualTo(200);
    assertThat(defaults.storage().quota()).isEqualTo(DataSize.ofGigabytes(1));
    assertThat(defaults.storage().uploadRate()).isEqualTo(30);
    assertThat(defaults.storage().uploadRatePeriod()).isEqualTo(Duration.ofMinutes(1));

    ApiProperties set =
        bind(
            Map.of(
                "conveyor.api.retention.uploads", "2h",
                "conveyor.api.retention.artifacts", "7d",
                "conveyor.api.retention.reports", "7d",
                "conveyor.api.retention.batch-size", "50",
                "conveyor.api.storage.quota", "50MB",
                "conveyor.api.storage.upload-rate", "5",
                "conveyor.api.storage.upload-rate-period", "10s"));
    assertThat(set.retention().uploads()).isEqualTo(Duration.ofHours(2));
    assertThat(set.retention().reports()).isEqualTo(Duration.ofDays(7));
    assertThat(set.retention().batchSize()).isEqualTo(50);
    assertThat(set.storage().quota()).isEqualTo(DataSize.ofMegabytes(50));
    assertThat(set.storage().uploadRate()).isEqualTo(5);
    assertThat(set.storage().uploadRatePeriod()).isEqualTo(Duration.ofSeconds(10));

    assertThatThrownBy(() -> bind(Map.of("conveyor.api.retention.uploads", "0s")))
        .rootCause()
        .hasMessageContaining("conveyor.api.retention.uploads");
    assertThatThrownBy(() -> bind(Map.of("conveyor.api.retention.artifacts", "-1d")))
        .rootCause()
        .hasMessageContaining("conveyor.api.retention.artifacts");
    assertThatThrownBy(() -> bind(Map.of("conveyor.api.retention.reports", "10d")))
        .rootCause()
        .hasMessageContaining("conveyor.api.retention.reports must be at least");
    assertThatThrownBy(() -> bind(Map.of("conveyor.api.retention.batch-size", "-5")))
        .rootCause()
        .hasMessageContaining("conveyor.api.retention.batch-size");
    assertThatThrownBy(() -> bind(Map.of("conveyor.api.retention.interval", "0s")))
        .rootCause()
        .hasMessageContaining("conveyor.api.retention.interval");
    assertThatThrownBy(() -> bind(Map.of("conveyor.api.storage.quota", "-1MB")))
        .rootCause()
        .hasMessageContaining("conveyor.api.storage.quota");
    assertThatThrownBy(() -> bind(Map.of("conveyor.api.storage.upload-rate", "-3")))
        .rootCause()
        .hasMessageContaining("conveyor.api.storage.upload-rate");
    assertThatThrownBy(() -> bind(Map.of("conveyor.api.storage.upload-rate-period", "0s")))
        .rootCause()
        .hasMessageContaining("conveyor.api.storage.upload-rate-period");
  }

  @Test
  void severalSecretsBindForRotation() {
    ApiProperties properties =
        bind(
            Map.of(
                "conveyor.api.callbacks.secrets",
                Signing.CURRENT_SECRET + "," + Signing.PREVIOUS_SECRET));

    assertThat(properties.callbacks().secrets())
        .extracting(Secret::reveal)
        .containsExactly(Signing.CURRENT_SECRET, Signing.PREVIOUS_SECRET);
  }

  @Test
  void replayRetentionShorterThanTwiceTheToleranceIsRefused() {
    assertThatThrownBy(
            () ->
                new ApiProperties.Callbacks(
                    List.of(), Duration.ofMinutes(5), Duration.ofMinutes(9)))
        .hasMessageContaining("twice the tolerance");
  }

  private static ApiProperties bind(Map<String, String> values) {
    return new Binder(new MapConfigurationPropertySource(values))
        .bindOrCreate("conveyor.api", ApiProperties.class);
  }
}
