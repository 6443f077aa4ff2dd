package dev.conveyor.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.conveyor.contract.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;
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

    assertThat(refusal(Map.of("conveyor.api.limits.concurrent-requests", "-1")))
        .contains(uniform("conveyor.api.limits.concurrent-requests"));
    assertThat(refusal(Map.of("conveyor.api.limits.admission-timeout", "-1s")))
        .contains(uniform("conveyor.api.limits.admission-timeout"));
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

    assertThat(refusal(Map.of("conveyor.api.retention.uploads", "0s")))
        .contains(uniform("conveyor.api.retention.uploads"));
    assertThat(refusal(Map.of("conveyor.api.retention.artifacts", "-1d")))
        .contains(uniform("conveyor.api.retention.artifacts"));
    assertThat(refusal(Map.of("conveyor.api.retention.reports", "10d")))
        .contains(uniform("conveyor.api.retention.reports must be at least"));
    assertThat(refusal(Map.of("conveyor.api.retention.batch-size", "-5")))
        .contains(uniform("conveyor.api.retention.batch-size"));
    assertThat(refusal(Map.of("conveyor.api.retention.interval", "0s")))
        .contains(uniform("conveyor.api.retention.interval"));
    assertThat(refusal(Map.of("conveyor.api.storage.quota", "-1MB")))
        .contains(uniform("conveyor.api.storage.quota"));
    assertThat(refusal(Map.of("conveyor.api.storage.upload-rate", "-3")))
        .contains(uniform("conveyor.api.storage.upload-rate"));
    assertThat(refusal(Map.of("conveyor.api.storage.upload-rate-period", "0s")))
        .contains(uniform("conveyor.api.storage.upload-rate-period"));
  }

  /** Zero never stands for "the default": where it is no valid value, it stops the start. */
  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "conveyor.api.reports.max-attempts, 0",
    "conveyor.api.reports.jobs-ahead-cap, 0",
    "conveyor.api.reports.max-delay, 0s",
    "conveyor.api.reports.wakeup-interval, -1ms",
    "conveyor.api.reports.queue, ' '",
    "conveyor.api.webhooks.max-attempts, 0",
    "conveyor.api.webhooks.queue, ' '",
    "conveyor.api.events.max-streams-per-client, 0",
    "conveyor.api.events.heartbeat, 0s",
    "conveyor.api.events.timeout, 0s",
    "conveyor.api.events.listen-url, ' '",
    "conveyor.api.limits.concurrent-requests, 0",
    "conveyor.api.limits.json-body, 0B",
    "conveyor.api.limits.upload, 0B",
    "conveyor.api.limits.admission-timeout, -1s",
    "conveyor.api.auth.cache-ttl, -1s",
    "conveyor.api.callbacks.tolerance, 0s",
    "conveyor.api.retention.batch-size, 0",
    "conveyor.api.retention.batch-size, 10001",
    "conveyor.api.storage.upload-rate, 0",
    "conveyor.api.storage.upload-rate-period, 0s",
  })
  void aBadValueStopsTheStartNamingTheProperty(String property, String value) {
    assertThat(refusal(Map.of(property, value))).contains(uniform(property));
  }

  /**
   * Spring Boot's converters read an empty duration, size or optional number as no value, so it
   * binds as unset (compose's {@code VAR=}); a whole number or a text left empty is refused.
   */
  @Test
  void anEmptyValueIsUnsetForDurationsAndSizesAndRefusedForNumbersAndText() {
    ApiProperties properties =
        bind(
            Map.of(
                "conveyor.api.callbacks.tolerance", "",
                "conveyor.api.limits.json-body", "",
                "conveyor.api.limits.concurrent-requests", ""));
    assertThat(properties).isEqualTo(ApiProperties.defaults());

    assertThat(refusal(Map.of("conveyor.api.reports.max-attempts", "")))
        .contains(uniform("conveyor.api.reports.max-attempts"));
    assertThat(refusal(Map.of("conveyor.api.reports.queue", "")))
        .contains(uniform("conveyor.api.reports.queue"));
  }

  @Test
  void zeroIsAValueWhereItMeansSomething() {
    ApiProperties properties =
        bind(
            Map.of(
                "conveyor.api.reports.wakeup-interval", "0s",
                "conveyor.api.limits.admission-timeout", "0s",
                "conveyor.api.auth.cache-ttl", "0s",
                "conveyor.api.storage.quota", "0B"));

    assertThat(properties.reports().wakeupInterval()).isZero();
    assertThat(properties.limits().admissionTimeout()).isZero();
    assertThat(properties.auth().cacheTtl()).isZero();
    assertThat(properties.storage().quota()).isEqualTo(DataSize.ofBytes(0));
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

  /**
   * Binds as the application does, Bean Validation included ({@code @Validated}); a bad value
   * throws the start-up failure.
   */
  private static ApiProperties bind(Map<String, String> values) {
    AtomicReference<@Nullable ApiProperties> bound = new AtomicReference<>();
    new ApplicationContextRunner()
        .withUserConfiguration(Bind.class)
        .withPropertyValues(
            values.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .toArray(String[]::new))
        .run(
            context -> {
              if (context.getStartupFailure() != null) {
                throw context.getStartupFailure();
              }
              bound.set(context.getBean(ApiProperties.class));
            });
    return Objects.requireNonNull(bound.get());
  }

  /**
   * What the start prints for a bad value: Spring Boot's failure analysis of the failure (the
   * "APPLICATION FAILED TO START" description, which names the property for Bean Validation
   * errors), or the failure's messages where no analyzer applies.
   */
  private static String refusal(Map<String, String> values) {
    return uniform(failureOf(values));
  }

  /**
   * Boot's failure analysis names a Bean Validation error's property by its Java name ({@code
   * conveyor.api.reports.maxAttempts}), the same property as {@code max-attempts} to the binder:
   * compare in that uniform form (lower case, no dashes).
   */
  private static String uniform(String text) {
    return text.toLowerCase(Locale.ROOT).replace("-", "");
  }

  private static String failureOf(Map<String, String> values) {
    Throwable failure = catchThrowable(() -> bind(values));
    assertThat(failure).as("binding %s fails", values).isNotNull();
    for (FailureAnalyzer analyzer : ANALYZERS) {
      FailureAnalysis analysis = analyzer.analyze(failure);
      if (analysis != null) {
        return analysis.getDescription();
      }
    }
    StringBuilder messages = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append('\n');
    }
    return messages.toString();
  }

  /** Boot's failure analyzers for binding (package-private in Boot, hence by name). */
  private static final List<FailureAnalyzer> ANALYZERS =
      Stream.of("BindValidationFailureAnalyzer", "BindFailureAnalyzer")
          .map(name -> "org.springframework.boot.diagnostics.analyzer." + name)
          .map(name -> ClassUtils.resolveClassName(name, null))
          .map(type -> (FailureAnalyzer) BeanUtils.instantiateClass(type))
          .toList();

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(ApiProperties.class)
  static class Bind {}
}
