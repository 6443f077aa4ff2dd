package dev.conveyor.queue.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WorkerConfigTests {

  @Test
  void withLeaseKeepsTheHeartbeat() {
    WorkerConfig config = WorkerConfig.defaults().withLease(Duration.ofMinutes(2));
    assertThat(config.leaseDuration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.heartbeatInterval()).isEqualTo(WorkerConfig.DEFAULT_HEARTBEAT);
  }

  @Test
  void aLeaseShorterThanThreeHeartbeatsIsRefusedNamingBoth() {
    assertThatThrownBy(() -> WorkerConfig.defaults().withLease(Duration.ofSeconds(20)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("heartbeatInterval must be at most a third of leaseDuration")
        .hasMessageContaining("PT10S")
        .hasMessageContaining("PT20S");
  }

  @Test
  void leaseAndHeartbeatAreSetTogetherOrApart() {
    WorkerConfig config =
        WorkerConfig.defaults().withLease(Duration.ofSeconds(3), Duration.ofSeconds(1));
    assertThat(config.leaseDuration()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.withHeartbeat(Duration.ofMillis(500)).heartbeatInterval())
        .isEqualTo(Duration.ofMillis(500));
    assertThatThrownBy(() -> config.withHeartbeat(Duration.ofSeconds(2)))
        .hasMessageContaining("heartbeatInterval must be at most a third of leaseDuration");
  }

  @Test
  void completionBatchAndClaimAheadHaveSettersAndAreValidated() {
    WorkerConfig config = WorkerConfig.defaults().withMaxCompletionBatch(50).withClaimAhead(0);
    assertThat(config.maxCompletionBatch()).isEqualTo(50);
    assertThat(config.claimAhead()).isZero();
    assertThatThrownBy(() -> config.withMaxCompletionBatch(0))
        .hasMessageContaining("maxCompletionBatch");
    assertThatThrownBy(() -> config.withClaimAhead(-1)).hasMessageContaining("claimAhead");
  }
}
