package dev.conveyor.api.storage;

import dev.conveyor.api.ApiProperties;
import dev.conveyor.api.web.ApiException;
import dev.conveyor.api.web.ProblemType;
import java.time.Duration;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * A client's storage limits, checked in the database so that they hold across API replicas: the
 * storage quota (bytes of the client's uploads and report files, kept in {@code client_storage} by
 * a trigger on {@code artifacts}) and the upload rate ({@code client_upload_rate}).
 */
@Service
public class ClientStorage {

  private final StorageRepository storage;
  private final long defaultQuota;
  private final int uploadRate;
  private final Duration uploadRatePeriod;
  private final Duration uploadInterval;

  ClientStorage(StorageRepository storage, ApiProperties properties) {
    this.storage = storage;
    this.defaultQuota = properties.storage().quota().toBytes();
    this.uploadRate = properties.storage().uploadRate();
    this.uploadRatePeriod = properties.storage().uploadRatePeriod();
    this.uploadInterval = uploadRatePeriod.dividedBy(uploadRate);
  }

  /**
   * Takes one of the client's uploads per period, before the body is read; one statement, outside
   * any transaction.
   *
   * @throws ApiException 429 with {@code Retry-After} when the client has used them all
   */
  public void takeUploadSlot(long clientId) {
    if (storage.takeUploadSlot(clientId, uploadInterval, uploadRatePeriod)) {
      return;
    }
    Duration wait = storage.uploadRetryAfter(clientId, uploadInterval, uploadRatePeriod);
    throw ApiException.tooManyRequests(
        "Too many uploads: at most "
            + uploadRate
            + " per "
            + uploadRatePeriod
            + " (conveyor.api.storage.upload-rate); try again in "
            + Math.max(1, (wait.toMillis() + 999) / 1000)
            + " s",
        wait);
  }

  /**
   * Makes room for {@code bytes} of a new upload in the caller's transaction: locks the client's
   * storage count until that transaction ends (a concurrent upload of the client waits for it), so
   * the file written next is counted before anyone else compares with the quota.
   *
   * @throws ApiException 413 when the client's files and this upload would exceed its quota
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public void reserve(long clientId, long bytes) {
    StorageRepository.Usage usage = storage.lockClientStorage(clientId);
    long quota = quota(usage);
    if (usage.usedBytes() + bytes > quota) {
      throw new ApiException(
          ProblemType.QUOTA_EXCEEDED,
          "Storing this upload ("
              + bytes
              + " bytes) would exceed your storage quota: "
              + usage.usedBytes()
              + " of "
              + quota
              + " bytes are in use by your uploads and report files, which are deleted after"
              + " their retention");
    }
  }

  /**
   * Refuses a new report while the client's files fill its quota: the report's file would add to
   * them, and a report once accepted is always produced and stored. Reads the count without a lock
   * (a submission stores nothing itself), so reports accepted just under the quota may take the
   * client past it by their files.
   *
   * @throws ApiException 413 when the client is at or over its quota
   */
  public void checkRoomForReport(long clientId) {
    StorageRepository.Usage usage = storage.findClientStorage(clientId);
    long quota = quota(usage);
    if (usage.usedBytes() >= quota) {
      throw new ApiException(
          ProblemType.QUOTA_EXCEEDED,
          "Your stored files ("
              + usage.usedBytes()
              + " bytes) have reached your storage quota ("
              + quota
              + " bytes); new reports are refused until files are deleted after their retention");
    }
  }

  /**
   * Keeps the client's upload from the retention sweep until the caller's transaction ends (it then
   * is named by a committed report, or the sweep may take it). Returns false when there is no such
   * upload of the client (any more).
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public boolean holdUpload(UUID uploadId, long clientId) {
    return storage.holdUpload(uploadId, clientId);
  }

  private long quota(StorageRepository.Usage usage) {
    return usage.quotaBytes() == null ? defaultQuota : usage.quotaBytes();
  }
}
