package dev.conveyor.api.storage;

import dev.conveyor.contract.SqlFiles;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The storage statements, each in its {@code .sql} file beside this class (loaded at start, so a
 * missing one fails the start). Runs through {@link JdbcClient} on the application's {@link
 * DataSource}, so each joins the caller's transaction when there is one.
 */
@Repository
class StorageRepository {

  static final String LOCK_CLIENT_STORAGE =
      SqlFiles.load(StorageRepository.class, "lock_client_storage.sql");
  static final String FIND_CLIENT_STORAGE =
      SqlFiles.load(StorageRepository.class, "find_client_storage.sql");
  static final String TAKE_UPLOAD_SLOT =
      SqlFiles.load(StorageRepository.class, "take_upload_slot.sql");
  static final String UPLOAD_RETRY_AFTER =
      SqlFiles.load(StorageRepository.class, "upload_retry_after.sql");
  static final String TRY_SWEEP_LOCK = SqlFiles.load(StorageRepository.class, "try_sweep_lock.sql");
  static final String EXPIRE_ARTIFACTS =
      SqlFiles.load(StorageRepository.class, "expire_artifacts.sql");
  static final String DELETE_EXPIRED_REPORTS =
      SqlFiles.load(StorageRepository.class, "delete_expired_reports.sql");
  static final String LOCK_UNUSED_UPLOADS =
      SqlFiles.load(StorageRepository.class, "lock_unused_uploads.sql");
  static final String DELETE_UNUSED_UPLOADS =
      SqlFiles.load(StorageRepository.class, "delete_unused_uploads.sql");
  static final String HOLD_UPLOAD = SqlFiles.load(StorageRepository.class, "hold_upload.sql");

  private final JdbcClient jdbc;

  StorageRepository(DataSource dataSource) {
    this.jdbc = JdbcClient.create(dataSource);
  }

  /** What a client holds and its own quota, if it has one. */
  record Usage(long usedBytes, @Nullable Long quotaBytes) {

    static final Usage NONE = new Usage(0, null);
  }

  /** Runs {@code lock_client_storage.sql}: the client's row, locked to the transaction's end. */
  Usage lockClientStorage(long clientId) {
    return jdbc.sql(LOCK_CLIENT_STORAGE).param("clientId", clientId).query(this::usage).single();
  }

  /** Runs {@code find_client_storage.sql}. */
  Usage findClientStorage(long clientId) {
    return jdbc.sql(FIND_CLIENT_STORAGE)
        .param("clientId", clientId)
        .query(this::usage)
        .optional()
        .orElse(Usage.NONE);
  }

  private Usage usage(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
    long used = rs.getLong(1);
    long quota = rs.getLong(2);
    return new Usage(used, rs.wasNull() ? null : quota);
  }

  /** Runs {@code take_upload_slot.sql}: whether the client may upload now. */
  boolean takeUploadSlot(long clientId, Duration interval, Duration period) {
    return !jdbc.sql(TAKE_UPLOAD_SLOT)
        .param("clientId", clientId)
        .param("intervalSeconds", seconds(interval))
        .param("periodSeconds", seconds(period))
        .query()
        .listOfRows()
        .isEmpty();
  }

  /** Runs {@code upload_retry_after.sql}: how long until the client may upload again. */
  Duration uploadRetryAfter(long clientId, Duration interval, Duration period) {
    Optional<Double> wait =
        jdbc.sql(UPLOAD_RETRY_AFTER)
            .param("clientId", clientId)
            .param("intervalSeconds", seconds(interval))
            .param("periodSeconds", seconds(period))
            .query(Double.class)
            .optional();
    return Duration.ofMillis(Math.max(0, Math.round(wait.orElse(0.0) * 1000)));
  }

  /** Runs {@code try_sweep_lock.sql}: whether this transaction may sweep. */
  boolean trySweepLock() {
    return Boolean.TRUE.equals(jdbc.sql(TRY_SWEEP_LOCK).query(Boolean.class).single());
  }

  /** Runs {@code expire_artifacts.sql}; returns how many files were deleted. */
  int expireArtifacts(Instant cutoff, Instant now, int batch, long maxBytes) {
    return jdbc.sql(EXPIRE_ARTIFACTS)
        .param("cutoff", timestamp(cutoff))
        .param("now", timestamp(now))
        .param("batch", batch)
        .param("maxBytes", maxBytes)
        .update();
  }

  /** Runs {@code delete_expired_reports.sql}; returns how many reports were deleted. */
  int deleteExpiredReports(Instant cutoff, int batch) {
    return jdbc.sql(DELETE_EXPIRED_REPORTS)
        .param("cutoff", timestamp(cutoff))
        .param("batch", batch)
        .update();
  }

  /** Runs {@code lock_unused_uploads.sql}: the ids of a batch of unused uploads, locked. */
  List<UUID> lockUnusedUploads(Instant cutoff, int batch) {
    return jdbc.sql(LOCK_UNUSED_UPLOADS)
        .param("cutoff", timestamp(cutoff))
        .param("batch", batch)
        .query(UUID.class)
        .list();
  }

  /** Runs {@code delete_unused_uploads.sql}; returns how many were deleted. */
  int deleteUnusedUploads(Collection<UUID> ids) {
    return jdbc.sql(DELETE_UNUSED_UPLOADS).param("ids", ids).update();
  }

  /** Runs {@code hold_upload.sql}: whether the caller's upload exists (now locked). */
  boolean holdUpload(UUID id, long ownerId) {
    return jdbc.sql(HOLD_UPLOAD)
        .param("id", id)
        .param("ownerId", ownerId)
        .query(UUID.class)
        .optional()
        .isPresent();
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static OffsetDateTime timestamp(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
