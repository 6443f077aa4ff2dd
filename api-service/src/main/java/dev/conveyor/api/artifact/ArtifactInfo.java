package dev.conveyor.api.artifact;

import java.util.UUID;

/**
 * A stored file's metadata.
 *
 * @param id the artifact id
 * @param ownerId the API client it belongs to
 * @param kind {@code report} or {@code upload}
 * @param filename bare file name, for Content-Disposition
 * @param contentType its media type
 * @param sizeBytes its length
 * @param sha256 hex SHA-256 of the whole file
 */
public record ArtifactInfo(
    UUID id,
    long ownerId,
    String kind,
    String filename,
    String contentType,
    long sizeBytes,
    String sha256) {}
