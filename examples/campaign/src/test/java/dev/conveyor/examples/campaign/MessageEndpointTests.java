package dev.conveyor.examples.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How long a 429 asks to wait. */
class MessageEndpointTests {

  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  @Test
  void retryAfterSecondsWin() {
    assertThat(MessageEndpoint.floodWait(Optional.of("7"), "FLOOD_WAIT_30", NOW))
        .contains(Duration.ofSeconds(7));
  }

  @Test
  void retryAfterAsAnHttpDate() {
    assertThat(MessageEndpoint.floodWait(Optional.of("Mon, 07 Dec 2026 10:00:12 GMT"), "", NOW))
        .contains(Duration.ofSeconds(12));
  }

  @Test
  void aFloodWaitBody() {
    assertThat(
            MessageEndpoint.floodWait(Optional.empty(), "{\"description\":\"FLOOD_WAIT_17\"}", NOW))
        .contains(Duration.ofSeconds(17));
  }

  @Test
  void telegramsRetryAfterParameter() {
    assertThat(
            MessageEndpoint.floodWait(
                Optional.empty(),
                "{\"ok\":false,\"error_code\":429,\"parameters\":{\"retry_after\": 5}}",
                NOW))
        .contains(Duration.ofSeconds(5));
  }

  @Test
  void aWaitUnderOneSecondIsOneSecond() {
    assertThat(MessageEndpoint.floodWait(Optional.of("0"), "", NOW))
        .contains(Duration.ofSeconds(1));
  }

  @Test
  void noHintIsEmptyAndTheCallerUsesItsDefault() {
    assertThat(MessageEndpoint.floodWait(Optional.of("soon"), "slow down", NOW)).isEmpty();
  }
}
