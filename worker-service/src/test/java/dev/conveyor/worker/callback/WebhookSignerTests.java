package dev.conveyor.worker.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.worker.Secret;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The signature format, pinned by the golden vectors of api-service's {@code WebhookVerifierTests}:
 * same secret, id, timestamp and body must give the same header there and here.
 */
class WebhookSignerTests {

  // The example of the Standard Webhooks specification.
  static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  static final long SPEC_TIMESTAMP = 1614265330;
  static final String SPEC_BODY = "{\"test\": 2432232314}";
  static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  // Conveyor's own vector: a worker event (copied from api-service's WebhookVerifierTests).
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
  void signsTheStandardWebhooksSpecificationExample() {
    WebhookSigner signer = new WebhookSigner(new Secret(SPEC_SECRET));

    assertThat(signer.sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(SPEC_SIGNATURE);
  }

  @Test
  void signsConveyorsGoldenEventExactlyAsTheApiExpects() {
    WebhookSigner signer = new WebhookSigner(new Secret(CONVEYOR_SECRET));
    String signature =
        signer.sign(
            CONVEYOR_ID, CONVEYOR_TIMESTAMP, CONVEYOR_BODY.getBytes(StandardCharsets.UTF_8));

    // The value api-service's verifier accepts for this vector (WebhookVerifierTests).
    assertThat(signature).isEqualTo(CONVEYOR_SIGNATURE);
  }

  @Test
  void refusesASecretThatIsNotWhsecBase64() {
    assertThatThrownBy(() -> new WebhookSigner(new Secret("not-a-webhook-secret")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("whsec_");
    assertThatThrownBy(() -> new WebhookSigner(new Secret("whsec_c2hvcnQ=")))
        .hasMessageContaining("16 bytes");
  }

  @Test
  void secretIsRedactedInToString() {
    assertThat(new Secret(CONVEYOR_SECRET).toString()).doesNotContain("Y29u");
  }
}
