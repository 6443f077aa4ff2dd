package dev.conveyor.api;

import com.standardwebhooks.Webhook;
import java.nio.charset.StandardCharsets;

/**
 * Signs test callbacks with the Standard Webhooks reference library (com.standardwebhooks), an
 * implementation independent of the verifier under test.
 */
public final class Signing {

  /** Accepted by the test context, listed first. */
  public static final String CURRENT_SECRET = "whsec_qa/2bwd4cUNiwZMt8e73DvCI7WvxsXeCZpU/R51N3eY=";

  /** Also accepted: the secret being rotated out. */
  public static final String PREVIOUS_SECRET = "whsec_3ptOY4ytApu8R1h/IYoPGdc4JOiKzkhOeA2dzswnEvY=";

  /** Not accepted anywhere. */
  public static final String UNKNOWN_SECRET = "whsec_LZAy03T3qluSiEsUdkp71UlgyWoLL0KG9vHBuFHsifA=";

  private Signing() {}

  /** The {@code webhook-signature} header value for this message. */
  public static String sign(String secret, String id, long timestamp, String body) {
    try {
      return new Webhook(secret).sign(id, timestamp, body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
