package dev.conveyor.api.callback;

import dev.conveyor.api.Secret;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Verifies Standard Webhooks signatures (https://www.standardwebhooks.com): headers {@code
 * webhook-id}, {@code webhook-timestamp} (Unix seconds) and {@code webhook-signature}, a
 * space-separated list of {@code v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>}.
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
final class WebhookVerifier {

  static final String ID = "webhook-id";
  static final String TIMESTAMP = "webhook-timestamp";
  static final String SIGNATURE = "webhook-signature";
  static final String SECRET_PREFIX = "whsec_";
  private static final String HMAC = "HmacSHA256";
  private static final int MAX_ID_LENGTH = 256;

  private final List<byte[]> keys;
  private final long toleranceSeconds;
  private final InstantSource clock;

  WebhookVerifier(List<Secret> secrets, Duration tolerance, InstantSource clock) {
    this.keys = secrets.stream().map(WebhookVerifier::key).toList();
    this.toleranceSeconds = tolerance.toSeconds();
    this.clock = clock;
  }

  boolean hasSecrets() {
    return !keys.isEmpty();
  }

  /** The HMAC key of a {@code whsec_<base64>} secret. */
  static byte[] key(Secret secret) {
    String value = secret.reveal();
    if (!value.startsWith(SECRET_PREFIX)) {
      throw new IllegalArgumentException("a webhook secret must look like whsec_<base64>");
    }
    try {
      byte[] key = Base64.getDecoder().decode(value.substring(SECRET_PREFIX.length()));
      if (key.length < 16) {
        throw new IllegalArgumentException("a webhook secret must hold at least 16 bytes");
      }
      return key;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "a webhook secret must be whsec_ followed by base64 of at least 16 bytes");
    }
  }

  /**
   * Checks the headers against the body.
   *
   * @throws InvalidSignatureException naming the first check that failed
   */
  void verify(
      @Nullable String id, @Nullable String timestamp, @Nullable String signatures, byte[] body)
      throws InvalidSignatureException {
    if (id == null || id.isBlank() || timestamp == null || signatures == null) {
      throw new InvalidSignatureException(
          "Missing signature headers: "
              + ID
              + ", "
              + TIMESTAMP
              + " and "
              + SIGNATURE
              + " are required");
    }
    if (id.length() > MAX_ID_LENGTH) {
      throw new InvalidSignatureException(ID + " is longer than " + MAX_ID_LENGTH + " characters");
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.strip());
    } catch (NumberFormatException e) {
      throw new InvalidSignatureException(TIMESTAMP + " must be Unix time in seconds");
    }
    long now = clock.instant().getEpochSecond();
    if (seconds < now - toleranceSeconds) {
      throw new InvalidSignatureException(
          TIMESTAMP
              + " is too old (more than the tolerance of "
              + toleranceSeconds
              + " s in the past)");
    }
    if (seconds > now + toleranceSeconds) {
      throw new InvalidSignatureException(
          TIMESTAMP
              + " is too far in the future (more than the"
              + " tolerance of "
              + toleranceSeconds
              + " s)");
    }
    for (byte[] key : keys) {
      byte[] expected = hmac(key, id, timestamp.strip(), body);
      for (String candidate : signatures.strip().split(" +")) {
        byte[] given = decodeV1(candidate);
        if (given != null && MessageDigest.isEqual(given, expected)) {
          return;
        }
      }
    }
    throw new InvalidSignatureException("No " + SIGNATURE + " matches the body");
  }

  /** The {@code v1,<base64>} signature of a message (what a sender puts in the header). */
  static String sign(byte[] key, String id, String timestamp, byte[] body) {
    return "v1," + Base64.getEncoder().encodeToString(hmac(key, id, timestamp, body));
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

  private static byte[] hmac(byte[] key, String id, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(key, HMAC));
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
