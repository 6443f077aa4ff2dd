package dev.conveyor.api.auth;

import dev.conveyor.api.ApiProperties;
import dev.conveyor.contract.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * For local use: when {@code conveyor.api.bootstrap-key} ({@code CONVEYOR_API_BOOTSTRAP_KEY}) is
 * set, the admin client {@value #NAME} is created with that key, or moved to it, at start.
 */
@Component
class BootstrapKey implements ApplicationRunner {

  static final String NAME = "bootstrap";
  private static final Logger log = LoggerFactory.getLogger(BootstrapKey.class);

  private final ApiKeys keys;
  private final ApiProperties properties;

  BootstrapKey(ApiKeys keys, ApiProperties properties) {
    this.keys = keys;
    this.properties = properties;
  }

  @Override
  public void run(ApplicationArguments args) {
    Secret key = properties.bootstrapKey();
    if (key == null) {
      return;
    }
    if (key.reveal().length() < 20) {
      throw new IllegalStateException(
          "conveyor.api.bootstrap-key is too short to be a key: use at least 20 random characters");
    }
    keys.upsert(NAME, key, Role.ADMIN);
    log.info("Bootstrap API key installed for client '{}' (role admin)", NAME);
  }
}
