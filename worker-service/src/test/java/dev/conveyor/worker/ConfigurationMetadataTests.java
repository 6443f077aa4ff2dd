package dev.conveyor.worker;

import dev.conveyor.testsupport.ConfigurationMetadataContract;
import java.util.Set;

/**
 * The worker service's configuration metadata and the settings table of docs/operations.md written
 * from it (the checks: {@link ConfigurationMetadataContract}).
 */
class ConfigurationMetadataTests extends ConfigurationMetadataContract {

  ConfigurationMetadataTests() {
    super(
        "conveyor.worker-service.",
        Set.of(
            "conveyor.worker-service.api-base-url",
            "conveyor.worker-service.callback-secret",
            "conveyor.worker-service.delivery-retry.base",
            "conveyor.worker-service.delivery-retry.cap",
            "conveyor.worker-service.delivery-retry.jitter"),
        WorkerServiceProperties.class);
  }
}
