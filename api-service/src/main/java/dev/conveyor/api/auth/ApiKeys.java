package dev.conveyor.api.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.conveyor.api.ApiProperties;
import dev.conveyor.api.web.ApiException;
import dev.conveyor.api.web.FieldProblem;
import dev.conveyor.contract.Secret;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Creates and checks API keys.
 *
 * <p>A key is {@value #PREFIX} followed by 256 random bits in base64url. Only its SHA-256 is
 * stored; the key is shown once, at creation. Checked keys are remembered for {@code
 * conveyor.api.auth.cache-ttl}, so the hot path does not hit the database per request; revoking a
 * key therefore takes effect within that time. The caches are Caffeine caches, bounded in size
 * (least recently and frequently used entries go first, never the whole cache at once) with the TTL
 * as expire-after-write; their hits, misses and evictions are Micrometer's {@code cache.*} meters,
 * tagged {@code cache=api-keys} and {@code cache=api-clients-active}. Thread-safe.
 */
@Service
public class ApiKeys {

  static final String PREFIX = "cvk_";
  static final int MAX_CACHED = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ApiClientRepository clients;

  /** Callers by the hex SHA-256 of their key; only valid keys are cached. */
  private final Cache<String, Caller> cache;

  /** Clients seen active, by id: the value is only a marker. */
  private final Cache<Long, Boolean> activeClients;

  ApiKeys(ApiClientRepository clients, ApiProperties properties, MeterRegistry meters) {
    this.clients = clients;
    Duration ttl = properties.auth().cacheTtl();
    this.cache = CaffeineCacheMetrics.monitor(meters, newCache(ttl), "api-keys");
    this.activeClients = CaffeineCacheMetrics.monitor(meters, newCache(ttl), "api-clients-active");
  }

  private static <K, V> Cache<K, V> newCache(Duration ttl) {
    return Caffeine.newBuilder()
        .maximumSize(MAX_CACHED)
        .expireAfterWrite(ttl)
        // Statistics for the cache.* meters: a few counter increments per lookup.
        .recordStats()
        .<K, V>build();
  }

  /**
   * What {@link #create} returns: the key (shown once, never stored) and, for the client's
   * webhooks, the signing secret.
   */
  public record CreatedKey(Caller caller, Secret key, Secret webhookSecret) {}

  /** Creates a client with a new key and a new webhook signing secret, without a county scope. */
  @Transactional
  public CreatedKey create(String name, Role role) {
    return create(name, role, null);
  }

  /**
   * Creates a client with a new key and a new webhook signing secret.
   *
   * @param counties a registrar's county scope (names of {@code registry_counties}, any case;
   *     stored as the registry spells them); {@code null}: every county. Only a registrar has one.
   * @throws ApiException (422) naming {@code name}, {@code role} or {@code counties} when one
   *     breaks a rule: a name taken or not 1 to 100 characters, a scope for another role, an empty
   *     scope, or a county the registry does not have
   */
  @Transactional
  public CreatedKey create(String name, Role role, @Nullable List<String> counties) {
    List<FieldProblem> problems = new ArrayList<>();
    if (name.isBlank() || name.length() > 100) {
      problems.add(new FieldProblem("name", "must be 1 to 100 characters, not blank"));
    } else if (clients.existsByName(name)) {
      problems.add(new FieldProblem("name", "is taken by another API client"));
    }
    List<String> scope = counties == null ? null : scope(role, counties, problems);
    if (!problems.isEmpty()) {
      throw ApiException.invalid(problems);
    }
    String key = newKey();
    Secret webhookSecret = new Secret("whsec_" + Base64.getEncoder().encodeToString(random(32)));
    ApiClient client;
    try {
      client =
          clients.saveAndFlush(
              new ApiClient(name, hash(key), prefix(key), role, scope, webhookSecret.reveal()));
    } catch (DataIntegrityViolationException e) {
      // Another request took the name between the check and the insert.
      throw ApiException.invalid(
          List.of(new FieldProblem("name", "is taken by another API client")));
    }
    return new CreatedKey(client.toCaller(), new Secret(key), webhookSecret);
  }

  /** The counties as the registry spells them, in the order given, each once. */
  private @Nullable List<String> scope(Role role, List<String> counties, List<FieldProblem> out) {
    if (role != Role.REGISTRAR) {
      out.add(
          new FieldProblem(
              "counties",
              "only a registrar key has a county scope (an admin key writes every county)"));
      return null;
    }
    if (counties.isEmpty()) {
      out.add(
          new FieldProblem(
              "counties", "must name at least one county; leave it out for every county"));
      return null;
    }
    Set<String> lower = new LinkedHashSet<>();
    for (int i = 0; i < counties.size(); i++) {
      String county = counties.get(i);
      if (county == null || county.isBlank() || county.length() > 40) {
        out.add(new FieldProblem("counties[" + i + "]", "must be a county name"));
      } else {
        lower.add(county.strip().toLowerCase(Locale.ROOT));
      }
    }
    if (lower.isEmpty()) {
      return null;
    }
    Map<String, String> known = new HashMap<>();
    for (String c : clients.registryCounties(lower)) {
      known.put(c.toLowerCase(Locale.ROOT), c);
    }
    List<String> scope = new ArrayList<>();
    for (int i = 0; i < counties.size(); i++) {
      String county = counties.get(i);
      if (county == null || county.isBlank() || county.length() > 40) {
        continue;
      }
      String canonical = known.get(county.strip().toLowerCase(Locale.ROOT));
      if (canonical == null) {
        out.add(
            new FieldProblem(
                "counties[" + i + "]", "'" + county + "' is not a county of the registry"));
      } else if (!scope.contains(canonical)) {
        scope.add(canonical);
      }
    }
    return scope;
  }

  /** Creates the client {@code name} with the given key, or moves it to that key. */
  @Transactional
  public void upsert(String name, Secret key, Role role) {
    clients.upsert(name, hash(key.reveal()), prefix(key.reveal()), role.dbValue());
    // The client's previous key, role or scope must not outlive the change in this process.
    cache.invalidateAll();
    activeClients.invalidateAll();
  }

  /** The caller holding this key, if it is a valid, unrevoked key. */
  public Optional<Caller> authenticate(String key) {
    byte[] hash = hash(key);
    String cacheKey = HexFormat.of().formatHex(hash);
    Caller cached = cache.getIfPresent(cacheKey);
    if (cached != null) {
      return Optional.of(cached);
    }
    // Not cache.get(key, loader): an unknown key is not cached (a guessing client would fill the
    // cache with misses), and the query runs outside Caffeine's per-entry lock.
    Optional<Caller> caller =
        clients.findByKeyHashAndRevokedAtIsNull(hash).map(ApiClient::toCaller);
    if (caller.isPresent()) {
      cache.put(cacheKey, caller.get());
    } else {
      cache.invalidate(cacheKey);
    }
    return caller;
  }

  /**
   * Whether the caller's client is still active (not revoked), for work a request started earlier
   * and that goes on, such as an open event stream. Like {@link #authenticate}, it looks at the
   * database at most once per {@code conveyor.api.auth.cache-ttl} per client.
   */
  public boolean isActive(Caller caller) {
    if (activeClients.getIfPresent(caller.clientId()) != null) {
      return true;
    }
    boolean active = clients.isActive(caller.clientId());
    if (active) {
      activeClients.put(caller.clientId(), Boolean.TRUE);
    } else {
      activeClients.invalidate(caller.clientId());
    }
    return active;
  }

  /** The two caches, for tests of their policy. */
  List<Cache<?, ?>> caches() {
    return List.of(cache, activeClients);
  }

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

  /**
   * The first characters of a key, as stored in {@code api_clients.key_prefix}: enough to tell keys
   * apart in a log, too few to use.
   */
  static String prefix(String key) {
    return key.substring(0, Math.min(12, key.length()));
  }

  private static byte[] random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return b;
  }
}
