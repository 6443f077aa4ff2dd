package dev.conveyor.api.report;

/**
 * Where a report is: {@code PENDING → PROCESSING → COMPLETED | FAILED | CANCELLED}. Never moves
 * backwards (the database refuses it too).
 */
public enum ReportStatus {
  PENDING(0),
  PROCESSING(1),
  COMPLETED(2),
  FAILED(2),
  CANCELLED(2);

  private final int rank;

  ReportStatus(int rank) {
    this.rank = rank;
  }

  public boolean isTerminal() {
    return rank == 2;
  }

  /** Whether going from this status to {@code next} is forward (or staying put). */
  boolean allows(ReportStatus next) {
    return next == this || (!isTerminal() && next.rank > rank);
  }
}
