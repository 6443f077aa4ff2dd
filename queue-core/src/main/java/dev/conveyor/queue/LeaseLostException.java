package dev.conveyor.queue;

/**
 * The attempt no longer owns its job: its lease expired and the job was rescued, released at
 * shutdown, or cancelled. Anything the attempt tried to write in that transaction was rolled back.
 */
public final class LeaseLostException extends RuntimeException {
  public LeaseLostException(long jobId) {
    super("job " + jobId + " is no longer held by this attempt (lease lost)");
  }
}
