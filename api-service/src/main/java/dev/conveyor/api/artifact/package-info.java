/**
 * Files kept in PostgreSQL ({@code artifacts} + {@code artifact_chunks}): report outputs written by
 * the worker and client uploads (voterImport input). {@link ArtifactFiles} looks them up, streams
 * them in chunks with bounded memory, and stores uploads.
 */
@NullMarked
package dev.conveyor.api.artifact;

import org.jspecify.annotations.NullMarked;
