package dev.conveyor.api.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import dev.conveyor.api.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The signature format, pinned by golden vectors. The worker's signer shares these vectors (same
 * secret, id, timestamp and body must give the same header), and the Standard Webhooks reference
 * library agrees with both.
 */
class WebhookVerifierTests {

  /** The example of the Standard Webhooks specification. */
  static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  static final long SPEC_TIMESTAMP = 1614265330;
  static final String SPEC_BODY = "{\"test\": 2432232314}";
  static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  /** Conveyor's own vector: a worker event, as the worker's signer must produce it. */
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

  @Test
  void specVectorSignsAndVerifies() throws Exception {
    byte[] key = WebhookVerifier.key(new Secret(SPEC_SECRET));
    byte[] body = SPEC_BODY.getBytes(StandardCharsets.UTF_8);

    assertThat(WebhookVerifier.sign(key, SPEC_ID, Long.toString(SPEC_TIMESTAMP), body))
        .isEqualTo(SPEC_SIGNATURE);
    verifierAt(SPEC_SECRET, SPEC_TIMESTAMP)
        .verify(SPEC_ID, Long.toString(SPEC_TIMESTAMP), SPEC_SIGNATURE, body);
  }

  @Test
  void conveyorVectorSignsAndVerifies() throws Exception {
    byte[] key = WebhookVerifier.key(new Secret(CONVEYOR_SECRET));
    byte[] body = CONVEYOR_BODY.getBytes(StandardCharsets.UTF_8);

    assertThat(WebhookVerifier.sign(key, CONVEYOR_ID, Long.toString(CONVEYOR_TIMESTAMP), body))
        .isEqualTo(CONVEYOR_SIGNATURE);
    verifierAt(CONVEYOR_SECRET, CONVEYOR_TIMESTAMP)
        .verify(CONVEYOR_ID, Long.toString(CONVEYOR_TIMESTAMP), CONVEYOR_SIGNATURE, body);
  }

  @Test
  void referenceLibraryProducesTheSameVectors() throws Exception {
    assertThat(new Webhook(SPEC_SECRET).sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY))
        .isEqualTo(SPEC_SIGNATURE);
    assertThat(new Webhook(CONVEYOR_SECRET).sign(CONVEYOR_ID, CONVEYOR_TIMESTAMP, CONVEYOR_BODY))
        .isEqualTo(CONVEYOR_SIGNATURE);
  }

  @Test
  void referenceLibraryAcceptsWhatThisSideSigns() {
    long now = Instant.now().getEpochSecond();
    byte[] key = WebhookVerifier.key(new Secret(CONVEYOR_SECRET));
    String signature =
        WebhookVerifier.sign(
            key, CONVEYOR_ID, Long.toString(now), CONVEYOR_BODY.getBytes(StandardCharsets.UTF_8));

    assertThatCode(
            () ->
                new Webhook(CONVEYOR_SECRET)
                    .verify(
                        CONVEYOR_BODY,
                        Map.of(
                            "webhook-id", List.of(CONVEYOR_ID),
                            "webhook-timestamp", List.of(Long.toString(now)),
                            "webhook-signature", List.of(signature))))
        .doesNotThrowAnyException();
  }

  @Test
  void toleranceIsCheckedAgainstTheClockBothWays() {
    byte[] body = SPEC_BODY.getBytes(StandardCharsets.UTF_8);
    String ts = Long.toString(SPEC_TIMESTAMP);

    assertThatCode(
            () ->
                verifierAt(SPEC_SECRET, SPEC_TIMESTAMP + 300)
                    .verify(SPEC_ID, ts, SPEC_SIGNATURE, body))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () ->
                verifierAt(SPEC_SECRET, SPEC_TIMESTAMP + 301)
                    .verify(SPEC_ID, ts, SPEC_SIGNATURE, body))
        .hasMessageContaining("too old");
    assertThatThrownBy(
            () ->
                verifierAt(SPEC_SECRET, SPEC_TIMESTAMP - 301)
                    .verify(SPEC_ID, ts, SPEC_SIGNATURE, body))
        .hasMessageContaining("future");
  }

  @Test
  void secretsMustBeWhsecBase64() {
    assertThatThrownBy(() -> WebhookVerifier.key(new Secret("plain-text-secret")))
        .hasMessageContaining("whsec_");
    assertThatThrownBy(() -> WebhookVerifier.key(new Secret("whsec_not*base64")))
        .hasMessageContaining("base64");
    assertThatThrownBy(() -> WebhookVerifier.key(new Secret("whsec_c2hvcnQ=")))
        .hasMessageContaining("16 bytes");
  }

  private static WebhookVerifier verifierAt(String secret, long epochSecond) {
    return new WebhookVerifier(
        List.of(new Secret(secret)),
        Duration.ofMinutes(5),
        InstantSource.fixed(Instant.ofEpochSecond(epochSecond)));
  }
}
