package dev.conveyor.sampledata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.testsupport.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleDataCommandTests {

  private final TestDatabase db = TestDatabase.get();

  @Test
  void loadsARegistryTakingTheDatabaseFromTheEnvironment() throws SQLException, IOException {
    Map<String, String> env =
        Map.of(
            "CONVEYOR_DB_URL", db.url(),
            "CONVEYOR_DB_USER", db.user(),
            "CONVEYOR_DB_PASSWORD", db.password());

    int status =
        SampleDataCommand.run(
            new String[] {"--voters", "2_000", "--seed", "5", "--if-not-empty", "replace"}, env);

    assertThat(status).isZero();
    assertThat(SampleRegistryTests.count("voters")).isEqualTo(2_000);
  }

  @Test
  void writesAnImportFile(@TempDir Path dir) throws SQLException, IOException {
    Path file = dir.resolve("voters.csv");

    int status =
        SampleDataCommand.run(
            new String[] {"--csv", file.toString(), "--rows", "300", "--bad-rows", "11"}, Map.of());

    assertThat(status).isZero();
    assertThat(Files.readAllLines(file)).hasSize(301);
  }

  @Test
  void refusesBadUsage() {
    assertThatThrownBy(() -> SampleDataCommand.run(new String[] {"--voters", "x"}, Map.of()))
        .isInstanceOf(SampleDataCommand.UsageException.class)
        .hasMessageContaining("--voters must be a whole number");
    assertThatThrownBy(() -> SampleDataCommand.run(new String[] {"--voters", "10"}, Map.of()))
        .isInstanceOf(SampleDataCommand.UsageException.class)
        .hasMessageContaining("--url");
    assertThatThrownBy(() -> SampleDataCommand.run(new String[] {"--frobnicate", "1"}, Map.of()))
        .isInstanceOf(SampleDataCommand.UsageException.class)
        .hasMessageContaining("unknown option");
  }
}
