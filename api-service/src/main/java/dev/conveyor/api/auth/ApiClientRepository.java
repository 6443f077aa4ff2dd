package dev.conveyor.api.auth;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

interface ApiClientRepository extends JpaRepository<ApiClient, Long> {

  @Query("select c from ApiClient c where c.keyHash = :keyHash and c.revokedAt is null")
  Optional<ApiClient> findByKeyHashAndRevokedAtIsNull(byte[] keyHash);

  boolean existsByName(String name);

  /**
   * The registry's spelling of each county whose lower-case name is given (the rest are not
   * counties of the registry). Index: registry_counties_lower_name_key.
   */
  @Query(
      nativeQuery = true,
      value = "SELECT name FROM registry_counties WHERE lower(name) IN (:lowerCaseNames)")
  List<String> registryCounties(Collection<String> lowerCaseNames);

  @Query("select count(c) > 0 from ApiClient c where c.id = :id and c.revokedAt is null")
  boolean isActive(long id);

  /**
   * Creates the client {@code name} with this key, or moves an existing one to it (the bootstrap
   * key of a restarted instance). One statement, so replicas starting together do not collide.
   */
  @Modifying
  @Query(
      nativeQuery = true,
      value =
          """
          INSERT INTO api_clients (name, key_hash, key_prefix, role)
          VALUES (:name, :keyHash, :keyPrefix, :role)
          ON CONFLICT (name) DO UPDATE
          SET key_hash = excluded.key_hash, key_prefix = excluded.key_prefix,
              role = excluded.role, registry_counties = NULL, revoked_at = NULL
          """)
  int upsert(String name, byte[] keyHash, String keyPrefix, String role);
}
