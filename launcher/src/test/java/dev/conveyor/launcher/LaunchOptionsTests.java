package dev.conveyor.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LaunchOptionsTests {

  static LaunchOptions parse(Map<String, String> env, String... args) {
    return LaunchOptions.parse(args, env);
  }

  @Nested
  class Defaults {

    @Test
    void withoutADatabaseUrlTheEmbeddedDatabaseIsUsedAndSeeded() {
      LaunchOptions options = parse(Map.of());

      assertThat(options.embeddedDatabase()).isTrue();
      assertThat(options.dataDir()).isEqualTo(Path.of(".conveyor"));
      assertThat(options.dbUser()).isEqualTo("postgres");
      assertThat(options.pgPort()).isEqualTo(54329);
      assertThat(options.apiPort()).isEqualTo(8080);
      assertThat(options.workerPort()).isEqualTo(8081);
      assertThat(options.sampleVoters()).isEqualTo(2_000);
      assertThat(options.sampleSeed()).isEqualTo(42);
      assertThat(options.startupTimeout()).isEqualTo(Duration.ofMinutes(3));
      assertThat(options.stopTimeout()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void theDatabaseComesFromTheEnvironmentAndIsNotSeededUnlessAsked() {
      Map<String, String> env =
          Map.of(
              "CONVEYOR_DB_URL", "jdbc:postgresql://db:5432/conveyor",
              "CONVEYOR_DB_USER", "conveyor",
              "CONVEYOR_DB_PASSWORD", "s3cret");

      LaunchOptions options = parse(env);

      assertThat(options.embeddedDatabase()).isFalse();
      assertThat(options.dbUrl()).isEqualTo("jdbc:postgresql://db:5432/conveyor");
      assertThat(options.dbUser()).isEqualTo("conveyor");
      assertThat(options.dbPassword()).isEqualTo("s3cret");
      assertThat(options.sampleVoters()).isZero();
      assertThat(parse(env, "--sample-voters", "500").sampleVoters()).isEqualTo(500);
    }

    @Test
    void optionsWinOverTheEnvironment() {
      LaunchOptions options =
          parse(
              Map.of("CONVEYOR_DB_URL", "jdbc:postgresql://env/x"),
              "--db-url=jdbc:postgresql://option/y",
              "--db-user",
              "me");

      assertThat(options.dbUrl()).isEqualTo("jdbc:postgresql://option/y");
      assertThat(options.dbUser()).isEqualTo("me");
    }
  }

  @Nested
  class Parsing {

    @Test
    void acceptsBothSpellingsOfAValue() {
      LaunchOptions options =
          parse(
              Map.of(),
              "--data-dir=/tmp/x",
              "--api-port",
              "9090",
              "--worker-port=9091",
              "--stop-timeout",
              "5");

      assertThat(options.dataDir()).isEqualTo(Path.of("/tmp/x"));
      assertThat(options.apiPort()).isEqualTo(9090);
      assertThat(options.workerPort()).isEqualTo(9091);
      assertThat(options.stopTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void helpReturnsNoOptions() {
      assertThat(parse(Map.of(), "--api-port", "1", "--help")).isNull();
    }

    @Test
    void refusesAnUnknownOption() {
      assertThatThrownBy(() -> parse(Map.of(), "--port", "1"))
          .isInstanceOf(LaunchOptions.UsageException.class)
          .hasMessageContaining("--port");
    }

    @Test
    void refusesAMissingOrMalformedValue() {
      assertThatThrownBy(() -> parse(Map.of(), "--api-port"))
          .isInstanceOf(LaunchOptions.UsageException.class)
          .hasMessageContaining("--api-port needs a value");
      assertThatThrownBy(() -> parse(Map.of(), "--api-port", "http"))
          .isInstanceOf(LaunchOptions.UsageException.class)
          .hasMessageContaining("--api-port must be a whole number");
      assertThatThrownBy(() -> parse(Map.of(), "--sample-voters", "99999999999"))
          .isInstanceOf(LaunchOptions.UsageException.class)
          .hasMessageContaining("--sample-voters is out of range");
    }

    @Test
    void refusesRulesBroken() {
      assertThatThrownBy(() -> parse(Map.of(), "--api-port", "70000"))
          .isInstanceOf(LaunchOptions.UsageException.class)
          .hasMessageContaining("--api-port must be between 1 and 65535");
      assertThatThrownBy(() -> parse(Map.of(), "--api-port", "8081"))
          .isInstanceOf(LaunchOptions.UsageException.class)
          .hasMessageContaining("must differ");
      assertThatThrownBy(() -> parse(Map.of(), "--db-url", "postgres://x/y"))
          .isInstanceOf(LaunchOptions.UsageException.class)
          .hasMessageContaining("--db-url must be a jdbc:postgresql: URL");
      assertThatThrownBy(() -> parse(Map.of(), "--sample-voters", "-1"))
          .isInstanceOf(LaunchOptions.UsageException.class)
          .hasMessageContaining("--sample-voters");
    }
  }

  @Nested
  class Jars {

    @Test
    void aMissingJarNamesTheOptionAndTheBuildCommand() {
      LaunchOptions options = parse(Map.of(), "--api-jar", "/nonexistent/api.jar");

      assertThatThrownBy(options::resolveApiJar)
          .isInstanceOf(LaunchOptions.UsageException.class)
          .hasMessageContaining("--api-jar /nonexistent/api.jar is not a file");
    }
  }
}
