package dev.conveyor.queue.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The starter's {@code META-INF/spring-configuration-metadata.json}, as the build wrote it (the
 * configuration processor's output merged with {@code
 * additional-spring-configuration-metadata.json}), is what an IDE shows: every {@code conveyor.*}
 * property has a plain description and, unless it has no fixed default, its default, and those
 * defaults are the ones the core records really apply.
 */
class ConfigurationMetadataTests {

  /**
   * Properties whose default is computed, empty or a map (which metadata cannot show), and which
   * their descriptions explain.
   */
  private static final Set<String> WITHOUT_DEFAULT =
      Set.of(
          "conveyor.db.direct-url",
          "conveyor.queue.listen-url",
          "conveyor.worker.id",
          "conveyor.worker.queues",
          "conveyor.worker.schedules");

  private static Map<String, ConfigurationMetadataProperty> properties() throws Exception {
    URI classes =
        QueueAutoConfiguration.class.getProtectionDomain().getCodeSource().getLocation().toURI();
    Path metadata = Path.of(classes).resolve("META-INF/spring-configuration-metadata.json");
    assertThat(metadata).as("written by spring-boot-configuration-processor").exists();
    try (InputStream in = Files.newInputStream(metadata)) {
      return new TreeMap<>(
          ConfigurationMetadataRepositoryJsonBuilder.create(in).build().getAllProperties());
    }
  }

  @Test
  void everyQueueAndWorkerPropertyIsThere() throws Exception {
    assertThat(properties().keySet())
        .contains(
            "conveyor.queue.lease.duration",
            "conveyor.queue.metrics.depth-exact-limit",
            "conveyor.worker.queues",
            "conveyor.worker.shutdown.timeout",
            "management.health.conveyor.enabled")
        .allMatch(name -> name.startsWith("conveyor.") || name.contains(".conveyor."))
        .hasSizeGreaterThanOrEqualTo(26);
  }

  @Test
  void everyPropertyHasAPlainDescription() throws Exception {
    assertThat(properties().values())
        .allSatisfy(
            p -> {
              assertThat(p.getDescription()).as(p.getId()).isNotBlank();
              assertThat(p.getDescription())
                  .as("%s: no Javadoc markup in what an IDE shows", p.getId())
                  .doesNotContain("{@");
            });
  }

  @Test
  void everyPropertyWithADefaultShowsIt() throws Exception {
    assertThat(properties().values())
        .filteredOn(p -> p.getDefaultValue() == null)
        .extracting(ConfigurationMetadataProperty::getId)
        .containsExactlyInAnyOrderElementsOf(WITHOUT_DEFAULT);
  }

  /**
   * The defaults the metadata shows, set explicitly, configure exactly what leaving everything
   * unset does: the documented defaults cannot drift from the core records' constants.
   */
  @Test
  void theDefaultsShownAreTheDefaultsApplied() throws Exception {
    Map<String, String> shown = new HashMap<>();
    properties()
        .forEach(
            (name, p) -> {
              if (p.getDefaultValue() != null) {
                shown.put(name, String.valueOf(p.getDefaultValue()));
              }
            });

    assertThat(configured(shown)).isEqualTo(configured(Map.of()));
  }

  /** Everything the two properties records configure, for comparison. */
  private static List<@Nullable Object> configured(Map<String, String> values) {
    Binder binder = new Binder(new MapConfigurationPropertySource(values));
    QueueProperties queue = binder.bindOrCreate("conveyor.queue", QueueProperties.class);
    WorkerProperties worker = binder.bindOrCreate("conveyor.worker", WorkerProperties.class);
    return Arrays.asList(
        worker.toWorkerConfig(queue),
        worker.enabled(),
        queue.listenEnabled(),
        queue.retry().toBackoff(),
        queue.rescuer().toConfig(),
        queue.pruner().toConfig(),
        queue.statistics().toInterval(),
        queue.metrics().toSamplerConfig());
  }
}
