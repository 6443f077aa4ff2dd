package dev.conveyor.api.auth;

import dev.conveyor.api.ApiProperties;
import dev.conveyor.api.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Creates and checks API keys.
 *
 * <p>A key is {@value #PREFIX} followed by 256 random bits in base64url. Only its SHA-256 is
 * stored; the key is shown once, at creation. Checked keys are remembered for {@code
 * conveyor.api.auth.cache-ttl}, so the hot path does not hit the database per request; revoking a
 * key therefore takes effect within that time. Thread-safe.
 */
@Service
public class ApiKeys {

  static final String PREFIX = "cvk_";
  private static final int MAX_CACHED = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ApiClientRepository clients;
  private final long cacheTtlNanos;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  private final Map<Long, Long> activeClients = new ConcurrentHashMap<>();

  ApiKeys(ApiClientRepository clients, ApiProperties properties) {
    this.clients = clients;
    this.cacheTtlNanos = properties.auth().cacheTtl().toNanos();
  }

  /**
   * What {@link #create} returns: the key (shown once, never stored) and, for the client's
   * webhooks, the signing secret.
   */
  public record CreatedKey(Caller caller, Secret key, Secret webhookSecret) {}

  /** Creates a client with a new key and a new webhook signing secret. */
  @Transactional
  public CreatedKey create(String name, Role role) {
    String key = newKey();
    Secret webhookSecret = new Secret("whsec_" + Base64.getEncoder().encodeToString(random(32)));
    ApiClient client =
        clients.save(new ApiClient(name, hash(key), prefix(key), role, webhookSecret.reveal()));
    return new CreatedKey(client.toCaller(), new Secret(key), webhookSecret);
  }

  /** Creates the client {@code name} with the given key, or moves it to that key. */
  @Transactional
  public void upsert(String name, Secret key, Role role) {
    clients.upsert(name, hash(key.reveal()), prefix(key.reveal()), role.dbValue());
    cache.clear();
  }

  /** The caller holding this key, if it is a valid, unrevoked key. */
  public Optional<Caller> authenticate(String key) {
    byte[] hash = hash(key);
    String cacheKey = HexFormat.of().formatHex(hash);
    Cached cached = cache.get(cacheKey);
    long now = System.nanoTime();
    if (cached != null && now - cached.at < cacheTtlNanos) {
      return Optional.of(cached.caller);
    }
    Optional<Caller> caller =
        clients.findByKeyHashAndRevokedAtIsNull(hash).map(ApiClient::toCaller);
    if (caller.isPresent()) {
      if (cache.size() >= MAX_CACHED) {
        cache.clear();
      }
      cache.put(cacheKey, new Cached(caller.get(), now));
    } else {
      cache.remove(cacheKey);
    }
    return caller;
  }

  /**
   * Whether the caller's client is still active (not revoked), for work a request started earlier
   * and that goes on, such as an open event stream. Like {@link #authenticate}, it looks at the
   * database at most once per {@code conveyor.api.auth.cache-ttl} per client.
   */
  public boolean isActive(Caller caller) {
    long now = System.nanoTime();
    Long checkedAt = activeClients.get(caller.clientId());
    if (checkedAt != null && now - checkedAt < cacheTtlNanos) {
      return true;
    }
    boolean active = clients.isActive(caller.clientId());
    if (active) {
      if (activeClients.size() >= MAX_CACHED) {
        activeClients.clear();
      }
      activeClients.put(caller.clientId(), now);
    } else {
      activeClients.remove(caller.clientId());
    }
    return active;
  }

  private record Cached(Caller caller, long at) {}

  static String newKey() {
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random(32));
  }

  static byte[] hash(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static String prefix(String key) {
    return key.substring(0, Math.min(12, key.length()));
  }

  private static byte[] random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return b;
  }
}
