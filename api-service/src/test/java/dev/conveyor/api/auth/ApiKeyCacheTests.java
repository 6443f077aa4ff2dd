package dev.conveyor.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The API key cache (Caffeine): bounded, {@code conveyor.api.auth.cache-ttl} (1 s in the test
 * context) as expire-after-write, so revoking or narrowing a key takes effect within it; and its
 * statistics are Micrometer meters.
 */
class ApiKeyCacheTests extends ApiTestBase {

  @Autowired MeterRegistry meters;

  @Test
  void theCacheIsBoundedAndEntriesExpireAfterTheConfiguredTtl() {
    for (var cache : keys.caches()) {
      assertThat(cache.policy().eviction().orElseThrow().getMaximum())
          .isEqualTo(ApiKeys.MAX_CACHED);
      assertThat(cache.policy().expireAfterWrite().orElseThrow().getExpiresAfter())
          .isEqualTo(Duration.ofSeconds(1));
    }
  }

  @Test
  void aRevokedKeyIsRefusedOnceItsCachedEntryExpires() {
    Api client = newClient();
    assertThat(client.get("/api/reports").status()).isEqualTo(200);

    jdbc.sql("UPDATE api_clients SET revoked_at = now() WHERE id = :id")
        .param("id", client.clientId())
        .update();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(client.get("/api/reports").status()).isEqualTo(401));
  }

  @Test
  void aNarrowedRoleAppliesOnceItsCachedEntryExpires() {
    Api admin = newClient(Role.ADMIN);
    assertThat(admin.get("/api/admin/queues").status()).isEqualTo(200);

    jdbc.sql("UPDATE api_clients SET role = 'client' WHERE id = :id")
        .param("id", admin.clientId())
        .update();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(admin.get("/api/admin/queues").status()).isEqualTo(403));
  }

  @Test
  void hitsAndMissesAreMeters() {
    Api client = newClient();
    double before = gets("hit") + gets("miss");

    for (int i = 0; i < 3; i++) {
      assertThat(client.get("/api/reports").status()).isEqualTo(200);
    }

    // Each request looks its key up once, a hit or a miss (whether a hit depends on timing under
    // load, so only the sum is exact; other tests' requests may add to it).
    assertThat(gets("hit") + gets("miss")).isGreaterThanOrEqualTo(before + 3);
    assertThat(meters.find("cache.size").tag("cache", "api-clients-active").gauge()).isNotNull();
  }

  private double gets(String result) {
    return meters
        .get("cache.gets")
        .tag("cache", "api-keys")
        .tag("result", result)
        .functionCounter()
        .count();
  }
}
