package dev.conveyor.contract;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks scheme (https://www.standardwebhooks.com), as both sides use it: the header
 * names, the {@code whsec_<base64>} secret whose decoded bytes are the HMAC key, and {@code
 * HMAC-SHA256(key, id + "." + timestamp + "." + body)}.
 */
public final class StandardWebhooks {

  /** The message id, the same on every delivery attempt; the receiver applies it once. */
  public static final String ID = "webhook-id";

  /** Unix time in seconds when the message was signed. */
  public static final String TIMESTAMP = "webhook-timestamp";

  /** A space-separated list of {@code v1,<base64 signature>}. */
  public static final String SIGNATURE = "webhook-signature";

  static final String SECRET_PREFIX = "whsec_";
  private static final String HMAC = "HmacSHA256";

  private StandardWebhooks() {}

  /**
   * The HMAC key of a {@code whsec_<base64>} secret.
   *
   * @throws IllegalArgumentException when the secret is not {@code whsec_} and base64 of at least
   *     16 bytes; the message never contains the secret
   */
  static byte[] key(Secret secret) {
    String value = secret.reveal();
    if (!value.startsWith(SECRET_PREFIX)) {
      throw new IllegalArgumentException("a webhook secret must look like whsec_<base64>");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(value.substring(SECRET_PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a webhook secret must be whsec_ followed by base64");
    }
    if (key.length < 16) {
      throw new IllegalArgumentException("a webhook secret must hold at least 16 bytes");
    }
    return key;
  }

  static byte[] hmac(SecretKeySpec key, String id, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  static SecretKeySpec keySpec(Secret secret) {
    return new SecretKeySpec(key(secret), HMAC);
  }
}
