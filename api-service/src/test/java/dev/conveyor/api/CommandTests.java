package dev.conveyor.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code main} finds the one-shot commands that features list in {@code spring.factories}. */
class CommandTests {

  @Test
  void createApiKeyIsFoundByItsName() {
    assertThat(ConveyorApiApplication.command("create-api-key"))
        .hasValueSatisfying(command -> assertThat(command.name()).isEqualTo("create-api-key"));
  }

  @Test
  void anyOtherFirstArgumentStartsTheService() {
    assertThat(ConveyorApiApplication.command("--server.port=8081")).isEmpty();
  }
}
