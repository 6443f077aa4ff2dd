package dev.conveyor.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.standardwebhooks.Webhook;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The wire contract between worker and API, pinned once: an event serialises to exactly these
 * bytes, and secret, id, timestamp and body give exactly this signature, which the verifier
 * accepts. The Standard Webhooks reference library (an independent implementation) agrees.
 */
class GoldenVectorTests {

  /** The example of the Standard Webhooks specification. */
  static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  static final long SPEC_TIMESTAMP = 1614265330;
  static final String SPEC_BODY = "{\"test\": 2432232314}";
  static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  /** Conveyor's own vector: a worker event. */
  static final String CONVEYOR_SECRET = "whsec_Y29udmV5b3ItZ29sZGVuLXZlY3Rvci1zZWNyZXQtMzI=";

  static final String CONVEYOR_ID = "msg_2f1c8e0a6b7d4c3e9a1b5d7f9e0c2a4b";
  static final long CONVEYOR_TIMESTAMP = 1767225600; // 2026-01-01T00:00:00Z
  static final String CONVEYOR_BODY =
      "{\"type\":\"report.completed\",\"reportId\":\"0195f3a2-7c41-7d2e-9b8a-3f6e1d2c4b5a\","
          + "\"jobId\":42,\"attempt\":1,\"leaseToken\":\"6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f\","
          + "\"occurredAt\":\"2026-01-01T00:00:00Z\",\"artifact\":{\"id\":"
          + "\"9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d\",\"contentType\":\"text/csv\","
          + "\"sizeBytes\":1024,\"sha256\":\""
          + "0".repeat(64)
          + "\",\"filename\":\"voters.csv\"}}";
  static final String CONVEYOR_SIGNATURE = "v1,pRW7P8VM5VrcuDLpKQGeCLme3OsXDZSHPibcvleUfcI=";

  /** The event of the body above (without an id: the vector predates ids in the body). */
  static final ReportEvent CONVEYOR_EVENT =
      new ReportEvent(
          null,
          ReportEvent.COMPLETED,
          UUID.fromString("0195f3a2-7c41-7d2e-9b8a-3f6e1d2c4b5a"),
          42L,
          1,
          UUID.fromString("6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f"),
          Instant.parse("2026-01-01T00:00:00Z"),
          null,
          new ReportEvent.Artifact(
              UUID.fromString("9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"),
              "text/csv",
              1024L,
              "0".repeat(64),
              "voters.csv"),
          null);

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void theGoldenEventSerialisesToTheGoldenBody() {
    assertThat(new String(JSON.writeValueAsBytes(CONVEYOR_EVENT), StandardCharsets.UTF_8))
        .isEqualTo(CONVEYOR_BODY);
  }

  @Test
  void theGoldenBodyReadsAsTheGoldenEvent() {
    assertThat(JSON.readValue(CONVEYOR_BODY, ReportEvent.class)).isEqualTo(CONVEYOR_EVENT);
    assertThat(CONVEYOR_EVENT.violations()).isEmpty();
  }

  @Test
  void signerProducesTheSpecificationsAndConveyorsSignatures() {
    assertThat(
            new WebhookSigner(new Secret(SPEC_SECRET))
                .sign(SPEC_ID, SPEC_TIMESTAMP, utf8(SPEC_BODY)))
        .isEqualTo(SPEC_SIGNATURE);
    assertThat(
            new WebhookSigner(new Secret(CONVEYOR_SECRET))
                .sign(CONVEYOR_ID, CONVEYOR_TIMESTAMP, utf8(CONVEYOR_BODY)))
        .isEqualTo(CONVEYOR_SIGNATURE);
  }

  @Test
  void verifierAcceptsTheSpecificationsAndConveyorsSignatures() {
    assertThatCode(
            () ->
                verifierAt(SPEC_SECRET, SPEC_TIMESTAMP)
                    .verify(
                        SPEC_ID, Long.toString(SPEC_TIMESTAMP), SPEC_SIGNATURE, utf8(SPEC_BODY)))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                verifierAt(CONVEYOR_SECRET, CONVEYOR_TIMESTAMP)
                    .verify(
                        CONVEYOR_ID,
                        Long.toString(CONVEYOR_TIMESTAMP),
                        CONVEYOR_SIGNATURE,
                        utf8(CONVEYOR_BODY)))
        .doesNotThrowAnyException();
  }

  @Test
  void referenceLibraryProducesTheSameVectors() throws Exception {
    assertThat(new Webhook(SPEC_SECRET).sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY))
        .isEqualTo(SPEC_SIGNATURE);
    assertThat(new Webhook(CONVEYOR_SECRET).sign(CONVEYOR_ID, CONVEYOR_TIMESTAMP, CONVEYOR_BODY))
        .isEqualTo(CONVEYOR_SIGNATURE);
  }

  @Test
  void referenceLibraryAcceptsWhatTheSignerSigns() {
    long now = Instant.now().getEpochSecond();
    Map<String, String> headers =
        new WebhookSigner(new Secret(CONVEYOR_SECRET))
            .headers(CONVEYOR_ID, now, utf8(CONVEYOR_BODY));

    assertThatCode(
            () ->
                new Webhook(CONVEYOR_SECRET)
                    .verify(
                        CONVEYOR_BODY,
                        Map.of(
                            StandardWebhooks.ID,
                            List.of(headers.get(StandardWebhooks.ID)),
                            StandardWebhooks.TIMESTAMP,
                            List.of(headers.get(StandardWebhooks.TIMESTAMP)),
                            StandardWebhooks.SIGNATURE,
                            List.of(headers.get(StandardWebhooks.SIGNATURE)))))
        .doesNotThrowAnyException();
  }

  static WebhookVerifier verifierAt(String secret, long epochSecond) {
    return new WebhookVerifier(
        List.of(new Secret(secret)),
        Duration.ofMinutes(5),
        InstantSource.fixed(Instant.ofEpochSecond(epochSecond)));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
