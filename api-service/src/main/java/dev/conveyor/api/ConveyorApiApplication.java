package dev.conveyor.api;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import java.util.Optional;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Starts the API service, or runs a one-shot command: {@code create-api-key --name NAME --role
 * client|registrar|admin [--counties A,B]} creates an API key, prints it once and exits. The
 * commands are found through {@link Command}, so this class does not depend on the features that
 * offer them.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
@OpenAPIDefinition(
    info =
        @Info(
            title = "Conveyor API",
            version = "v1",
            description = "Report requests, status, artifacts and live updates."),
    security = @SecurityRequirement(name = "apiKey"))
@SecurityScheme(
    name = "apiKey",
    type = SecuritySchemeType.HTTP,
    scheme = "bearer",
    description = "An API key: Authorization: Bearer <key>")
public class ConveyorApiApplication {

  public static void main(String[] args) {
    Optional<Command> command = args.length > 0 ? command(args[0]) : Optional.empty();
    if (command.isPresent()) {
      System.exit(command.get().run(ConveyorApiApplication.class, args));
    }
    SpringApplication.run(ConveyorApiApplication.class, args);
  }

  /** The one-shot command called {@code name}, if a feature offers one. */
  static Optional<Command> command(String name) {
    return SpringFactoriesLoader.forDefaultResourceLocation(
            ConveyorApiApplication.class.getClassLoader())
        .load(Command.class)
        .stream()
        .filter(command -> command.name().equals(name))
        .findFirst();
  }
}
