package dev.conveyor.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSecretsTests {

  @TempDir Path dir;

  @Test
  void generatesBothSecretsOnceOwnerOnlyAndKeepsThem() throws IOException {
    LocalSecrets first = LocalSecrets.in(dir.resolve("data"));
    LocalSecrets second = LocalSecrets.in(dir.resolve("data"));

    assertThat(second).isEqualTo(first);
    assertThat(first.apiKey()).matches("cvk_[A-Za-z0-9_-]{43}");
    assertThat(first.callbackSecret()).startsWith("whsec_");
    assertThat(Base64.getDecoder().decode(first.callbackSecret().substring(6))).hasSize(32);
    for (String file : new String[] {"api-key", "callback-secret"}) {
      assertThat(Files.getPosixFilePermissions(dir.resolve("data").resolve(file)))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
    assertThat(LocalSecrets.in(dir.resolve("other")).apiKey()).isNotEqualTo(first.apiKey());
  }

  @Test
  void readsASecretWrittenByHand() throws IOException {
    Files.writeString(dir.resolve("api-key"), "  cvk_chosen-by-hand-0123456789\n");

    assertThat(LocalSecrets.in(dir).apiKey()).isEqualTo("cvk_chosen-by-hand-0123456789");
  }

  @Test
  void refusesAnEmptyFile() throws IOException {
    Files.writeString(dir.resolve("callback-secret"), "\n");

    assertThatThrownBy(() -> LocalSecrets.in(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("callback-secret is empty");
  }

  @Test
  void neverPrintsTheSecrets() throws IOException {
    LocalSecrets secrets = LocalSecrets.in(dir);

    assertThat(secrets.toString())
        .doesNotContain(secrets.apiKey())
        .doesNotContain(secrets.callbackSecret());
  }
}
