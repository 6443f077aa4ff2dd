package dev.conveyor.api.artifact;

import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;

interface ArtifactRepository extends JpaRepository<Artifact, UUID> {}
