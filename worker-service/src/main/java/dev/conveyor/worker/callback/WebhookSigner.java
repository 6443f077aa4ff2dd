package dev.conveyor.worker.callback;

import dev.conveyor.worker.Secret;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs messages the Standard Webhooks way (https://www.standardwebhooks.com): {@code v1,<base64
 * HMAC-SHA256(key, id + "." + timestamp + "." + body)>}, where the key is the base64-decoded part
 * of a {@code whsec_<base64>} secret. The API's {@code WebhookVerifier} checks it; a golden vector
 * shared by both test suites pins the format. Thread-safe.
 */
final class WebhookSigner {

  static final String ID = "webhook-id";
  static final String TIMESTAMP = "webhook-timestamp";
  static final String SIGNATURE = "webhook-signature";
  private static final String SECRET_PREFIX = "whsec_";
  private static final String HMAC = "HmacSHA256";

  private final SecretKeySpec key;

  WebhookSigner(Secret secret) {
    this.key = new SecretKeySpec(decode(secret), HMAC);
  }

  private static byte[] decode(Secret secret) {
    String value = secret.reveal();
    if (!value.startsWith(SECRET_PREFIX)) {
      throw new IllegalArgumentException("the callback secret must look like whsec_<base64>");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(value.substring(SECRET_PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the callback secret must be whsec_ followed by base64");
    }
    if (bytes.length < 16) {
      throw new IllegalArgumentException("the callback secret must hold at least 16 bytes");
    }
    return bytes;
  }

  /** The headers of a signed JSON message: content type, id, timestamp and signature. */
  Map<String, String> headers(String id, long timestamp, byte[] body) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put(ID, id);
    headers.put(TIMESTAMP, Long.toString(timestamp));
    headers.put(SIGNATURE, sign(id, timestamp, body));
    return headers;
  }

  /** The {@code webhook-signature} header value of a message. */
  String sign(String id, long timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
