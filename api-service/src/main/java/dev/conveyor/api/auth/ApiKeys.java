package dev.conveyor.api.auth;

import dev.conveyor.api.ApiProperties;
import dev.conveyor.api.Secret;
import dev.conveyor.api.web.ApiException;
import dev.conveyor.api.web.FieldProblem;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
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
import java.util.concurrent.ConcurrentHashMap;
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
