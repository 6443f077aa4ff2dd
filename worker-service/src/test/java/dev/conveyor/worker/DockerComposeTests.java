package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml as compose reads it (this machine has no compose to ask: {@code docker compose
 * config} would need the plugin, podman-compose a podman): the public images by default, the images
 * deploy/base/build.sh builds from Debian's packages as the offline override that
 * deploy/podman-smoke.sh uses, the base image passed to the Dockerfiles as a build argument, and
 * every variable either defaulted or required and documented in .env.example.
 */
class DockerComposeTests {

  private static final Path ROOT = Path.of("..");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)(?::([-?])([^}]*))?}");

  @Test
  void defaultsToThePublicImages() throws IOException {
    Map<String, Object> services = map(compose(), "services");

    assertThat(resolve(map(services, "postgres").get("image"), Map.of())).isEqualTo("postgres:17");
    for (String service : List.of("migrate", "api", "worker")) {
      Map<String, Object> build = map(map(services, service), "build");
      assertThat(resolve(map(build, "args").get("RUNTIME_IMAGE"), Map.of()))
          .as("%s's base image", service)
          .isEqualTo("eclipse-temurin:21-jre");
      String dockerfile =
          Files.readString(ROOT.resolve((String) build.get("context")).resolve("Dockerfile"));
      assertThat(dockerfile)
          .as("%s's Dockerfile, built without compose", service)
          .contains("\nARG RUNTIME_IMAGE=eclipse-temurin:21-jre\n")
          .contains("FROM ${RUNTIME_IMAGE}");
    }
  }

  @Test
  void theOfflineOverrideNamesTheImagesBuiltFromDebianPackages() throws IOException {
    Map<String, Object> services = map(compose(), "services");
    Map<String, String> offline = offlineOverride();
    assertThat(offline).containsOnlyKeys("POSTGRES_IMAGE", "CONVEYOR_RUNTIME_IMAGE");

    // deploy/base/build.sh builds localhost/conveyor-base/<image> for each image of its loop.
    String build = Files.readString(ROOT.resolve("deploy/base/build.sh"));
    Matcher loop = Pattern.compile("for image in ([^;]+); do").matcher(build);
    assertThat(loop.find()).isTrue();
    Set<String> built = new LinkedHashSet<>();
    for (String image : loop.group(1).trim().split("\\s+")) {
      built.add("localhost/conveyor-base/" + image);
    }
    assertThat(built).containsAll(offline.values());

    assertThat(resolve(map(services, "postgres").get("image"), offline))
        .isEqualTo("localhost/conveyor-base/postgres:17");
    for (String service : List.of("migrate", "api", "worker")) {
      assertThat(
              resolve(
                  map(map(map(services, service), "build"), "args").get("RUNTIME_IMAGE"), offline))
          .isEqualTo("localhost/conveyor-base/jre:21");
    }
    // .env.example shows the same override, commented out.
    String env = Files.readString(ROOT.resolve(".env.example"));
    offline.forEach((name, value) -> assertThat(env).contains("\n#" + name + "=" + value + "\n"));
  }

  @Test
  void everyVariableIsDefaultedOrRequiredAndDocumented() throws IOException {
    String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
    String env = Files.readString(ROOT.resolve(".env.example"));
    Matcher m = VARIABLE.matcher(compose.replace("$$", ""));
    Set<String> names = new LinkedHashSet<>();
    while (m.find()) {
      assertThat(m.group(2))
          .as("${%s} has a default (:-) or says it is required (:?)", m.group(1))
          .isNotNull();
      names.add(m.group(1));
    }
    assertThat(names)
        .isNotEmpty()
        .allSatisfy(
            name ->
                assertThat(env)
                    .as(".env.example documents %s", name)
                    .containsPattern("(?m)^#?" + name + "="));
  }

  /** The lines deploy/podman-smoke.sh adds to its run's .env unless PUBLIC_IMAGES=1. */
  private static Map<String, String> offlineOverride() throws IOException {
    String smoke = Files.readString(ROOT.resolve("deploy/podman-smoke.sh"));
    Matcher images = Pattern.compile("(?s)\n  images=\"(.*?)\"\n").matcher(smoke);
    assertThat(images.find()).as("podman-smoke.sh sets the offline images").isTrue();
    Matcher runtime = Pattern.compile("\n  runtime_image=(\\S+)\n").matcher(smoke);
    assertThat(runtime.find()).isTrue();
    Map<String, String> override = new LinkedHashMap<>();
    for (String line : images.group(1).split("\n")) {
      String[] pair = line.split("=", 2);
      override.put(pair[0], pair[1].replace("$runtime_image", runtime.group(1)));
    }
    return override;
  }

  /** A compose value with ${VAR:-default} resolved from {@code env} (compose's interpolation). */
  private static String resolve(Object value, Map<String, String> env) {
    Matcher m = VARIABLE.matcher(String.valueOf(value));
    StringBuilder resolved = new StringBuilder();
    while (m.find()) {
      String replacement = env.getOrDefault(m.group(1), "-".equals(m.group(2)) ? m.group(3) : "");
      m.appendReplacement(resolved, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(resolved);
    return resolved.toString();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> compose() throws IOException {
    return (Map<String, Object>)
        new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    Object child = parent.get(key);
    assertThat(child).as(key).isNotNull();
    return (Map<String, Object>) child;
  }
}
