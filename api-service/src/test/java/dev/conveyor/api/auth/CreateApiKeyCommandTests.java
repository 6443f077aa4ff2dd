package dev.conveyor.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.ConveyorApiApplication;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@code create-api-key} runs the application without a web server against the database, prints the
 * key once and stores only its hash; the printed key then works against the running service.
 */
class CreateApiKeyCommandTests extends ApiTestBase {

  @Test
  void createsAKeyThatAuthenticatesAndIsStoredOnlyAsAHash() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String name = "cli-" + System.nanoTime();

    int exit =
        CreateApiKeyCommand.run(
            ConveyorApiApplication.class,
            new String[] {
              "create-api-key",
              "--name",
              name,
              "--role",
              "admin",
              "--spring.datasource.url=" + db.url(),
              "--spring.datasource.username=" + db.user(),
              "--spring.datasource.password=" + db.password()
            },
            new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err);

    assertThat(exit).isZero();
    String printed = out.toString(StandardCharsets.UTF_8);
    String key =
        Arrays.stream(printed.split("\\R"))
            .map(String::strip)
            .filter(line -> line.startsWith("cvk_"))
            .findFirst()
            .orElseThrow();
    assertThat(printed).contains("whsec_");
    assertThat(new Api(port, key).get("/api/admin/queues").status()).isEqualTo(200);
    String stored =
        jdbc.sql(
                "SELECT encode(key_hash, 'hex') || key_prefix || role FROM api_clients"
                    + " WHERE name = :name")
            .param("name", name)
            .query(String.class)
            .single();
    assertThat(stored).doesNotContain(key).endsWith("admin");
  }

  @Test
  void badArgumentsExitWithUsage() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int exit =
        CreateApiKeyCommand.run(
            ConveyorApiApplication.class,
            new String[] {"create-api-key", "--role", "root"},
            System.out,
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("usage", "client, registrar or admin");
  }

  @Test
  void createsARegistrarScopedToTheGivenCounties() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String name = "cli-registrar-" + System.nanoTime();

    int exit =
        CreateApiKeyCommand.run(
            ConveyorApiApplication.class,
            withDatabase(
                "create-api-key",
                "--name",
                name,
                "--role",
                "registrar",
                "--counties",
                "albany, Kings"),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err);

    assertThat(exit).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("role registrar, counties Albany, Kings");
    assertThat(
            jdbc.sql("SELECT registry_counties::text FROM api_clients WHERE name = :name")
                .param("name", name)
                .query(String.class)
                .single())
        .isEqualTo("{Albany,Kings}");
  }

  @Test
  void aCountyTheRegistryDoesNotHaveExitsWithUsageNamingIt() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String name = "cli-bad-county-" + System.nanoTime();

    int exit =
        CreateApiKeyCommand.run(
            ConveyorApiApplication.class,
            withDatabase(
                "create-api-key", "--name", name, "--role", "registrar", "--counties", "Kigns"),
            System.out,
            new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--counties[0]: 'Kigns' is not a county of the registry", "usage");
    assertThat(
            jdbc.sql("SELECT count(*) FROM api_clients WHERE name = :name")
                .param("name", name)
                .query(Long.class)
                .single())
        .isZero();
  }

  private static String[] withDatabase(String... args) {
    String[] all = Arrays.copyOf(args, args.length + 3);
    all[args.length] = "--spring.datasource.url=" + db.url();
    all[args.length + 1] = "--spring.datasource.username=" + db.user();
    all[args.length + 2] = "--spring.datasource.password=" + db.password();
    return all;
  }
}
