package dev.conveyor.api.artifact;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import java.util.UUID;
import org.springframework.data.domain.Persistable;

/** A row of {@code artifacts}; the bytes are in {@code artifact_chunks}. */
@Entity
@Table(name = "artifacts")
class Artifact implements Persistable<UUID> {

  static final String UNKNOWN_SHA256 = "0".repeat(64);

  @Id private UUID id;

  @Column(name = "owner_id", updatable = false)
  private long ownerId;

  @Column(updatable = false)
  private String kind;

  private String filename;

  @Column(name = "content_type")
  private String contentType;

  @Column(name = "size_bytes")
  private long sizeBytes;

  private String sha256;

  @Transient private boolean isNew;

  protected Artifact() {
    this.id = new UUID(0, 0);
    this.kind = "";
    this.filename = "";
    this.contentType = "";
    this.sha256 = UNKNOWN_SHA256;
  }

  Artifact(UUID id, long ownerId, String kind, String filename, String contentType) {
    this.id = id;
    this.ownerId = ownerId;
    this.kind = kind;
    this.filename = filename;
    this.contentType = contentType;
    this.sha256 = UNKNOWN_SHA256;
    this.isNew = true;
  }

  @Override
  public UUID getId() {
    return id;
  }

  @Override
  public boolean isNew() {
    return isNew;
  }

  @PostLoad
  @PostPersist
  void markStored() {
    isNew = false;
  }

  void contentWritten(long size, String sha256Hex) {
    this.sizeBytes = size;
    this.sha256 = sha256Hex;
  }

  ArtifactInfo info() {
    return new ArtifactInfo(id, ownerId, kind, filename, contentType, sizeBytes, sha256);
  }
}
