package dev.conveyor.api.auth;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;
import org.jspecify.annotations.Nullable;

/** A row of {@code api_clients}. */
@Entity
@Table(name = "api_clients")
class ApiClient {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private @Nullable Long id;

  private String name;

  @Column(name = "key_hash")
  private byte[] keyHash;

  @Column(name = "key_prefix")
  private String keyPrefix;

  private String role;

  @Column(name = "webhook_secret")
  private @Nullable String webhookSecret;

  /** A registrar's county scope ({@code text[]}); null: every county. */
  @Column(name = "registry_counties")
  @JdbcTypeCode(SqlTypes.ARRAY)
  private String @Nullable [] registryCounties;

  @Column(name = "created_at", insertable = false, updatable = false)
  private @Nullable Instant createdAt;

  @Column(name = "revoked_at")
  private @Nullable Instant revokedAt;

  protected ApiClient() {
    this.name = "";
    this.keyHash = new byte[0];
    this.keyPrefix = "";
    this.role = Role.CLIENT.dbValue();
  }

  ApiClient(
      String name,
      byte[] keyHash,
      String keyPrefix,
      Role role,
      @Nullable List<String> registryCounties,
      @Nullable String webhookSecret) {
    this.name = name;
    this.keyHash = keyHash.clone();
    this.keyPrefix = keyPrefix;
    this.role = role.dbValue();
    this.registryCounties =
        registryCounties == null ? null : registryCounties.toArray(String[]::new);
    this.webhookSecret = webhookSecret;
  }

  long id() {
    if (id == null) {
      throw new IllegalStateException("client not saved yet");
    }
    return id;
  }

  String name() {
    return name;
  }

  Role role() {
    return Role.fromDb(role);
  }

  Caller toCaller() {
    return new Caller(
        id(), name, role(), registryCounties == null ? null : List.of(registryCounties));
  }
}
