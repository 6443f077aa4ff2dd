package dev.conveyor.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The configuration metadata the configuration processor writes for a service ({@code
 * META-INF/spring-configuration-metadata.json}: IDE completion and documentation), and the settings
 * table of {@code docs/operations.md} that is written from it. A service's test extends this with
 * its prefix, the properties without a static default and a class of its own (where its metadata
 * lies).
 */
public abstract class ConfigurationMetadataContract {

  private final String prefix;
  private final Set<String> withoutDefault;
  private final Class<?> serviceClass;

  /**
   * @param prefix the service's properties, e.g. {@code "conveyor.api."}
   * @param withoutDefault the properties with no static default: required ones, and those whose
   *     unset value means something else (a computed value, "none", another setting's value). Every
   *     other property must show its default in the metadata.
   * @param serviceClass a class of the service, whose class folder holds its metadata
   */
  protected ConfigurationMetadataContract(
      String prefix, Set<String> withoutDefault, Class<?> serviceClass) {
    this.prefix = prefix;
    this.withoutDefault = Set.copyOf(withoutDefault);
    this.serviceClass = serviceClass;
  }

  @Test
  protected void everyPropertyHasADescription() {
    assertThat(properties()).isNotEmpty();
    properties()
        .forEach(
            (name, property) -> {
              String description = property.path("description").asString("");
              assertThat(description).as("description of %s", name).isNotBlank();
              // Javadoc the processor copies as is: a reader of the IDE's tooltip sees no value.
              assertThat(description).as("description of %s", name).doesNotContain("{@value");
            });
  }

  @Test
  protected void everyPropertyWithADefaultShowsIt() {
    Set<String> shownWithoutDefault = new TreeSet<>();
    properties()
        .forEach(
            (name, property) -> {
              if (!property.has("defaultValue")) {
                shownWithoutDefault.add(name);
              }
            });

    assertThat(shownWithoutDefault)
        .containsExactlyInAnyOrderElementsOf(new TreeSet<>(withoutDefault));
  }

  @Test
  protected void theSettingsTableListsEveryPropertyWithItsDefault() throws IOException {
    Map<String, List<String>> table = settingsTable();

    properties()
        .forEach(
            (name, property) -> {
              assertThat(table).as("docs/operations.md lists %s", name).containsKey(name);
              if (property.has("defaultValue")) {
                assertThat(table.get(name).get(1))
                    .as("documented default of %s", name)
                    .startsWith("`" + property.get("defaultValue").asString() + "`");
              }
            });
    assertThat(table.keySet())
        .as("documented properties that do not exist")
        .allSatisfy(name -> assertThat(properties()).containsKey(name));
  }

  @Test
  protected void theSettingsTableEnvironmentVariablesBindToTheirProperties() throws IOException {
    settingsTable()
        .forEach(
            (name, row) -> {
              Matcher variable = Pattern.compile("^`([A-Z0-9_]+)`$").matcher(row.get(0));
              assertThat(variable.matches())
                  .as("%s: one environment variable, was %s", name, row.get(0))
                  .isTrue();
              SystemEnvironmentPropertySource environment =
                  new SystemEnvironmentPropertySource(
                      StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                      Map.of(variable.group(1), "x"));
              assertThat(
                      ConfigurationPropertySource.from(environment)
                          .getConfigurationProperty(ConfigurationPropertyName.of(name)))
                  .as("%s binds %s", variable.group(1), name)
                  .isNotNull();
            });
  }

  /** This service's metadata (not a dependency's), by property name. */
  private Map<String, JsonNode> properties() {
    URI classes;
    try {
      classes = serviceClass.getProtectionDomain().getCodeSource().getLocation().toURI();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    Map<String, JsonNode> properties = new LinkedHashMap<>();
    try (InputStream in =
        classes.resolve("META-INF/spring-configuration-metadata.json").toURL().openStream()) {
      for (JsonNode property : JsonMapper.builder().build().readTree(in).path("properties")) {
        properties.put(property.path("name").asString(), property);
      }
    } catch (IOException e) {
      throw new IllegalStateException("no configuration metadata beside " + classes, e);
    }
    return properties;
  }

  /**
   * The rows of docs/operations.md's tables under a heading naming the prefix: full property name
   * to the environment and default cells.
   */
  private Map<String, List<String>> settingsTable() throws IOException {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    String heading = "";
    for (String line : Files.readAllLines(Path.of("..", "docs", "operations.md"))) {
      if (line.startsWith("#")) {
        heading = line;
      } else if (heading.startsWith("### ")
          && heading.contains("(`" + prefix + "*`")
          && line.startsWith("| `")) {
        List<String> cells = new ArrayList<>();
        for (String cell : line.substring(1).split("(?<!\\\\)\\|")) {
          cells.add(cell.strip());
        }
        String property = cells.get(0);
        assertThat(property).as("one property per row: %s", line).matches("`[a-z0-9.\\-]+`");
        rows.put(prefix + property.substring(1, property.length() - 1), cells.subList(1, 3));
      }
    }
    return rows;
  }
}
