package dev.conveyor.contract;

import static dev.conveyor.contract.GoldenVectorTests.CONVEYOR_SECRET;
import static dev.conveyor.contract.GoldenVectorTests.SPEC_BODY;
import static dev.conveyor.contract.GoldenVectorTests.SPEC_ID;
import static dev.conveyor.contract.GoldenVectorTests.SPEC_SECRET;
import static dev.conveyor.contract.GoldenVectorTests.SPEC_SIGNATURE;
import static dev.conveyor.contract.GoldenVectorTests.SPEC_TIMESTAMP;
import static dev.conveyor.contract.GoldenVectorTests.utf8;
import static dev.conveyor.contract.GoldenVectorTests.verifierAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the verifier refuses, and what it accepts besides the golden vectors. */
class WebhookVerifierTests {

  private static final String TS = Long.toString(SPEC_TIMESTAMP);

  @Test
  void toleranceIsCheckedAgainstTheClockBothWays() {
    byte[] body = utf8(SPEC_BODY);

    assertThatCode(
            () ->
                verifierAt(SPEC_SECRET, SPEC_TIMESTAMP + 300)
                    .verify(SPEC_ID, TS, SPEC_SIGNATURE, body))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () ->
                verifierAt(SPEC_SECRET, SPEC_TIMESTAMP + 301)
                    .verify(SPEC_ID, TS, SPEC_SIGNATURE, body))
        .isInstanceOf(InvalidSignatureException.class)
        .hasMessageContaining("too old");
    assertThatThrownBy(
            () ->
                verifierAt(SPEC_SECRET, SPEC_TIMESTAMP - 301)
                    .verify(SPEC_ID, TS, SPEC_SIGNATURE, body))
        .hasMessageContaining("future");
  }

  @Test
  void anyConfiguredSecretAndAnyListedSignatureMayMatch() {
    WebhookVerifier rotating =
        new WebhookVerifier(
            List.of(new Secret(CONVEYOR_SECRET), new Secret(SPEC_SECRET)),
            Duration.ofMinutes(5),
            InstantSource.fixed(Instant.ofEpochSecond(SPEC_TIMESTAMP)));

    assertThatCode(
            () ->
                rotating.verify(
                    SPEC_ID, TS, "v1,bm90LWl0 v2,xyz " + SPEC_SIGNATURE, utf8(SPEC_BODY)))
        .doesNotThrowAnyException();
  }

  @Test
  void aChangedBodyIdOrTimestampDoesNotVerify() {
    WebhookVerifier verifier = verifierAt(SPEC_SECRET, SPEC_TIMESTAMP);

    assertThatThrownBy(() -> verifier.verify(SPEC_ID, TS, SPEC_SIGNATURE, utf8(SPEC_BODY + " ")))
        .hasMessageContaining("matches");
    assertThatThrownBy(() -> verifier.verify(SPEC_ID + "x", TS, SPEC_SIGNATURE, utf8(SPEC_BODY)))
        .hasMessageContaining("matches");
    assertThatThrownBy(
            () ->
                verifier.verify(
                    SPEC_ID, Long.toString(SPEC_TIMESTAMP + 1), SPEC_SIGNATURE, utf8(SPEC_BODY)))
        .hasMessageContaining("matches");
  }

  @Test
  void missingOrMalformedHeadersAreNamed() {
    WebhookVerifier verifier = verifierAt(SPEC_SECRET, SPEC_TIMESTAMP);

    assertThatThrownBy(() -> verifier.verify(null, TS, SPEC_SIGNATURE, utf8(SPEC_BODY)))
        .hasMessageContaining("webhook-id");
    assertThatThrownBy(() -> verifier.verify(SPEC_ID, "soon", SPEC_SIGNATURE, utf8(SPEC_BODY)))
        .hasMessageContaining("webhook-timestamp");
    assertThatThrownBy(() -> verifier.verify("x".repeat(257), TS, SPEC_SIGNATURE, utf8(SPEC_BODY)))
        .hasMessageContaining("longer");
  }

  @Test
  void withoutSecretsEverythingIsRefused() {
    WebhookVerifier none =
        new WebhookVerifier(List.of(), Duration.ofMinutes(5), InstantSource.system());

    assertThat(none.hasSecrets()).isFalse();
    assertThatThrownBy(
            () ->
                none.verify(
                    SPEC_ID,
                    Long.toString(Instant.now().getEpochSecond()),
                    SPEC_SIGNATURE,
                    utf8(SPEC_BODY)))
        .isInstanceOf(InvalidSignatureException.class);
  }

  @Test
  void secretsMustBeWhsecBase64OfSixteenBytesAndNeverAppearInTheMessage() {
    assertThatThrownBy(() -> new WebhookSigner(new Secret("plain-text-secret")))
        .hasMessageContaining("whsec_")
        .hasMessageNotContaining("plain-text-secret");
    assertThatThrownBy(
            () ->
                new WebhookVerifier(
                    List.of(new Secret("whsec_not*base64")), Duration.ZERO, InstantSource.system()))
        .hasMessageContaining("base64")
        .hasMessageNotContaining("not*base64");
    assertThatThrownBy(() -> new WebhookSigner(new Secret("whsec_c2hvcnQ=")))
        .hasMessageContaining("16 bytes");
  }

  @Test
  void aSecretIsRedactedInToString() {
    Secret secret = new Secret(CONVEYOR_SECRET);

    assertThat(secret.toString()).isEqualTo("Secret[******]");
    assertThat(secret.reveal()).isEqualTo(CONVEYOR_SECRET);
    assertThatThrownBy(() -> new Secret(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
