package dev.conveyor.api;

import dev.conveyor.api.auth.CreateApiKeyCommand;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Starts the API service, or runs a one-shot command: {@code create-api-key --name NAME --role
 * client|admin} creates an API key, prints it once and exits.
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
    if (args.length > 0 && CreateApiKeyCommand.NAME.equals(args[0])) {
      System.exit(CreateApiKeyCommand.run(ConveyorApiApplication.class, args));
    }
    SpringApplication.run(ConveyorApiApplication.class, args);
  }
}
