package dev.conveyor.queue;

/** What {@link JobQueue#cancel(long)} did. */
public enum CancelResult {
  /** The job had not started; it is cancelled now and will never run. */
  CANCELLED,
  /** The job is running; its handler sees the request through {@link JobContext}. */
  CANCEL_REQUESTED,
  /** The job had already finished; nothing changed. */
  ALREADY_FINISHED,
  /** No such job. */
  NOT_FOUND
}
