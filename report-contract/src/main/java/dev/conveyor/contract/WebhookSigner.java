package dev.conveyor.contract;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs messages the Standard Webhooks way: {@code v1,<base64 HMAC-SHA256(key, id + "." + timestamp
 * + "." + body)>}, where the key is the base64-decoded part of a {@code whsec_<base64>} secret.
 * {@link WebhookVerifier} checks it; the golden vector in this module's tests pins the format.
 * Thread-safe.
 */
public final class WebhookSigner {

  private final SecretKeySpec key;

  /**
   * @throws IllegalArgumentException when the secret is not {@code whsec_} and base64 of at least
   *     16 bytes
   */
  public WebhookSigner(Secret secret) {
    this.key = StandardWebhooks.keySpec(secret);
  }

  /** The headers of a signed JSON message: content type, id, timestamp and signature. */
  public Map<String, String> headers(String id, long timestamp, byte[] body) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put(StandardWebhooks.ID, id);
    headers.put(StandardWebhooks.TIMESTAMP, Long.toString(timestamp));
    headers.put(StandardWebhooks.SIGNATURE, sign(id, timestamp, body));
    return headers;
  }

  /** The {@code webhook-signature} header value of a message, over the body's bytes as sent. */
  public String sign(String id, long timestamp, byte[] body) {
    return "v1,"
        + Base64.getEncoder()
            .encodeToString(StandardWebhooks.hmac(key, id, Long.toString(timestamp), body));
  }
}
