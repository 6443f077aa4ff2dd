package dev.conveyor.api.admin;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One audited registry import, as admins see it.
 *
 * @param clientId the importing key (API client)
 * @param uploadSha256 SHA-256 (hex) of the uploaded file
 * @param counties the county scope the import ran with; null: every county
 * @param importedAt when the import started changing the registry
 * @param status {@code running}, {@code completed}, {@code cancelled} or {@code failed}: an import
 *     is applied in slices, and a cancelled or failed one keeps what it applied (the counts so far)
 */
record RegistryImport(
    long id,
    long clientId,
    String clientName,
    UUID reportId,
    UUID uploadId,
    String uploadSha256,
    @Nullable List<String> counties,
    long rowsRead,
    long inserted,
    long updated,
    long unchanged,
    long rejected,
    Instant importedAt,
    String status) {}
