package dev.conveyor.api.artifact;

import dev.conveyor.api.jpa.AssignedIdEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.util.UUID;

/** A row of {@code artifacts}; the bytes are in {@code artifact_chunks}. */
@Entity
@Table(name = "artifacts")
class Artifact extends AssignedIdEntity {

  static final String UNKNOWN_SHA256 = "0".repeat(64);

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

  protected Artifact() {
    this.kind = "";
    this.filename = "";
    this.contentType = "";
    this.sha256 = UNKNOWN_SHA256;
  }

  Artifact(UUID id, long ownerId, String kind, String filename, String contentType) {
    super(id);
    this.ownerId = ownerId;
    this.kind = kind;
    this.filename = filename;
    this.contentType = contentType;
    this.sha256 = UNKNOWN_SHA256;
  }

  void contentWritten(long size, String sha256Hex) {
    this.sizeBytes = size;
    this.sha256 = sha256Hex;
  }

  ArtifactInfo info() {
    return new ArtifactInfo(getId(), ownerId, kind, filename, contentType, sizeBytes, sha256);
  }
}
