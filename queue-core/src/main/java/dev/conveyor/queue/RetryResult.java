package dev.conveyor.queue;

/** What {@link JobQueue#retry(long)} did. */
public enum RetryResult {
  /** The job is available again and runs next. */
  RETRIED,
  /** The job is not dead or cancelled (it is waiting, running or completed). */
  NOT_RETRYABLE,
  /** Another unfinished job holds the same unique key, so this one cannot come back. */
  KEY_TAKEN,
  /** No such job. */
  NOT_FOUND
}
