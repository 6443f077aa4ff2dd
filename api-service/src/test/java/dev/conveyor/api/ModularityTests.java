package dev.conveyor.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;

/**
 * The style guide's rule, checked: each direct sub-package of {@code dev.conveyor.api} is a feature
 * module; modules may not depend on each other in a cycle, and may use only the public types of
 * another module's top-level package.
 */
class ModularityTests {

  private static final ApplicationModules MODULES =
      ApplicationModules.of(ConveyorApiApplication.class);

  @Test
  void featurePackagesHaveNoCyclesAndUseOnlyEachOthersApi() {
    MODULES.verify();
  }

  @Test
  void everyFeaturePackageIsAModule() {
    // Guards the check above against passing vacuously (no modules detected).
    assertThat(MODULES.stream().map(ApplicationModule::getIdentifier).map(Object::toString))
        .containsExactlyInAnyOrder(
            "admin",
            "artifact",
            "auth",
            "callback",
            "console",
            "jpa",
            "report",
            "storage",
            "stream",
            "web");
  }
}
