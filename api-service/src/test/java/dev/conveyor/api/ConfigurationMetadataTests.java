package dev.conveyor.api;

import dev.conveyor.testsupport.ConfigurationMetadataContract;
import java.util.Set;

/**
 * The API's configuration metadata and the settings table of docs/operations.md written from it
 * (the checks: {@link ConfigurationMetadataContract}).
 */
class ConfigurationMetadataTests extends ConfigurationMetadataContract {

  ConfigurationMetadataTests() {
    super(
        "conveyor.api.",
        Set.of(
            "conveyor.api.bootstrap-key",
            "conveyor.api.callbacks.secrets",
            "conveyor.api.events.listen-url",
            "conveyor.api.limits.concurrent-requests"),
        ApiProperties.class);
  }
}
