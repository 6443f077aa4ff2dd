package dev.conveyor.api.jpa;

import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Transient;
import java.util.UUID;
import org.springframework.data.domain.Persistable;

/**
 * An entity whose UUID the application assigns. Being {@link Persistable} lets Spring Data insert a
 * new one directly instead of merging it (which would SELECT first).
 */
@MappedSuperclass
public abstract class AssignedIdEntity implements Persistable<UUID> {

  @Id private UUID id;

  @Transient private boolean isNew;

  /** For JPA. */
  protected AssignedIdEntity() {
    this.id = new UUID(0, 0);
  }

  /** A new entity, not stored yet. */
  protected AssignedIdEntity(UUID id) {
    this.id = id;
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
}
