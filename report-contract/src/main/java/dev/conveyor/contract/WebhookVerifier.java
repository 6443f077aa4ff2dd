package dev.conveyor.contract;

import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Verifies Standard Webhooks signatures: headers {@code webhook-id}, {@code webhook-timestamp}
 * (Unix seconds) and {@code webhook-signature}, a space-separated list of {@code v1,<base64
 * HMAC-SHA256(key, id + "." + timestamp + "." + body)>}.
 *
 * <ul>
 *   <li>Secrets are {@code whsec_<base64>}; the HMAC key is the decoded bytes (the scheme's
 *       convention, so the reference libraries interoperate).
 *   <li>Any configured secret may match (rotation), and any listed {@code v1} signature.
 *   <li>Signatures are compared in constant time ({@link MessageDigest#isEqual}).
 *   <li>The timestamp must be within the tolerance of now, either way.
 *   <li>The body is verified as the raw bytes received, before any parsing.
 * </ul>
 *
 * <p>Written here rather than taken from {@code com.standardwebhooks:standardwebhooks} (1.2.0):
 * that library fixes the tolerance at 5 minutes against the system clock (so it cannot be
 * configured or tested with a controlled clock), holds one secret per instance, takes the body as a
 * {@code String} rather than the bytes received, and reports why a check failed only through
 * exception messages. The tests use it as an independent reference for the format. Thread-safe.
 */
public final class WebhookVerifier {

  private static final int MAX_ID_LENGTH = 256;

  private final List<SecretKeySpec> keys;
  private final long toleranceSeconds;
  private final InstantSource clock;

  /**
   * @param secrets the accepted secrets, any of which may have signed a message (rotation); none:
   *     every message is refused
   * @param tolerance how far the timestamp may be from now, either way
   * @throws IllegalArgumentException when a secret is not {@code whsec_} and base64 of at least 16
   *     bytes
   */
  public WebhookVerifier(List<Secret> secrets, Duration tolerance, InstantSource clock) {
    this.keys = secrets.stream().map(StandardWebhooks::keySpec).toList();
    this.toleranceSeconds = tolerance.toSeconds();
    this.clock = clock;
  }

  /** Whether any secret is configured (without one, every message is refused). */
  public boolean hasSecrets() {
    return !keys.isEmpty();
  }

  /**
   * Checks the headers against the body.
   *
   * @throws InvalidSignatureException naming the first check that failed
   */
  public void verify(
      @Nullable String id, @Nullable String timestamp, @Nullable String signatures, byte[] body)
      throws InvalidSignatureException {
    if (id == null || id.isBlank() || timestamp == null || signatures == null) {
      throw new InvalidSignatureException(
          "Missing signature headers: "
              + StandardWebhooks.ID
              + ", "
              + StandardWebhooks.TIMESTAMP
              + " and "
              + StandardWebhooks.SIGNATURE
              + " are required");
    }
    if (id.length() > MAX_ID_LENGTH) {
      throw new InvalidSignatureException(
          StandardWebhooks.ID + " is longer than " + MAX_ID_LENGTH + " characters");
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.strip());
    } catch (NumberFormatException e) {
      throw new InvalidSignatureException(
          StandardWebhooks.TIMESTAMP + " must be Unix time in seconds");
    }
    long now = clock.instant().getEpochSecond();
    if (seconds < now - toleranceSeconds) {
      throw new InvalidSignatureException(
          StandardWebhooks.TIMESTAMP
              + " is too old (more than the tolerance of "
              + toleranceSeconds
              + " s in the past)");
    }
    if (seconds > now + toleranceSeconds) {
      throw new InvalidSignatureException(
          StandardWebhooks.TIMESTAMP
              + " is too far in the future (more than the tolerance of "
              + toleranceSeconds
              + " s)");
    }
    for (SecretKeySpec key : keys) {
      byte[] expected = StandardWebhooks.hmac(key, id, timestamp.strip(), body);
      for (String candidate : signatures.strip().split(" +")) {
        byte[] given = decodeV1(candidate);
        if (given != null && MessageDigest.isEqual(given, expected)) {
          return;
        }
      }
    }
    throw new InvalidSignatureException("No " + StandardWebhooks.SIGNATURE + " matches the body");
  }

  private static byte @Nullable [] decodeV1(String candidate) {
    if (!candidate.startsWith("v1,")) {
      return null;
    }
    try {
      return Base64.getDecoder().decode(candidate.substring(3));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
