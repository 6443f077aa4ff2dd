package dev.conveyor.api.artifact;

import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

interface ArtifactRepository extends JpaRepository<Artifact, UUID> {

  /**
   * Joins the caller's transaction if there is one, else reads without one: a file record never
   * changes once written, and a completed report's status read looks it up on every poll.
   */
  @Override
  @Transactional(propagation = Propagation.SUPPORTS, readOnly = true)
  Optional<Artifact> findById(UUID id);

  /**
   * The id of the report's stored file: the worker sets {@code report_id} when it marks the file
   * stored, in the transaction that completes the report's job. Index: artifacts_report_id_key.
   */
  @Query(nativeQuery = true, value = "SELECT id FROM artifacts WHERE report_id = :reportId")
  Optional<UUID> findStoredIdFor(UUID reportId);
}
