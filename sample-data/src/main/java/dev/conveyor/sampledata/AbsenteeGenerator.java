package dev.conveyor.sampledata;

import de.siegmar.fastcsv.writer.CsvWriter;
import java.time.LocalDate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Absentee applications for two past elections: the November 2025 general (any active voter) and
 * the June 2026 primary (active voters enrolled in a party with a primary; New York's primaries are
 * closed). Dates agree with the status: nothing is sent before it is requested, returned before it
 * is sent, and SENT, RETURNED and ACCEPTED applications were sent.
 */
final class AbsenteeGenerator {

  static final LocalDate GENERAL = LocalDate.of(2025, 11, 4);
  static final LocalDate PRIMARY = LocalDate.of(2026, 6, 23);
  static final List<LocalDate> ELECTIONS = List.of(GENERAL, PRIMARY);

  private static final List<String> STATUSES =
      List.of("REQUESTED", "SENT", "RETURNED", "ACCEPTED", "REJECTED", "CANCELLED");
  private static final int[] STATUS_WEIGHTS = {3, 14, 6, 65, 6, 6};
  private static final List<String> PRIMARY_PARTIES = List.of("DEM", "REP", "CON", "WOR");
  private static final int GENERAL_PERCENT = 7;
  private static final int PRIMARY_PERCENT = 5;

  private final Rng rng;
  private final CsvLine line = new CsvLine();
  private int rows;

  AbsenteeGenerator(long seed) {
    this.rng = Rng.of(seed, -3);
  }

  /**
   * Writes the applications (staging rows) of one active voter, if it made any; called for the
   * active voters in index order.
   */
  void write(String stateVoterId, String party, LocalDate registered, CsvWriter out) {
    if (rng.chance(GENERAL_PERCENT)) {
      write(stateVoterId, registered, GENERAL, out);
    }
    if (PRIMARY_PARTIES.contains(party) && rng.chance(PRIMARY_PERCENT)) {
      write(stateVoterId, registered, PRIMARY, out);
    }
  }

  int rows() {
    return rows;
  }

  private void write(String stateVoterId, LocalDate registered, LocalDate election, CsvWriter out) {
    // Requests open 75 days before an election and close a week before it.
    LocalDate first = election.minusDays(75);
    LocalDate last = election.minusDays(7);
    if (registered.isAfter(first)) {
      first = registered;
    }
    if (first.isAfter(last)) {
      return;
    }
    LocalDate requested =
        first.plusDays(rng.nextInt((int) (last.toEpochDay() - first.toEpochDay()) + 1));
    String status = STATUSES.get(rng.weighted(STATUS_WEIGHTS));
    LocalDate sent = requested.plusDays(1 + rng.nextInt(10));
    LocalDate returned = sent.plusDays(2 + rng.nextInt(28));
    @Nullable LocalDate sentOn =
        switch (status) {
          case "REQUESTED" -> null;
          case "CANCELLED" -> rng.chance(50) ? sent : null;
          default -> sent;
        };
    @Nullable LocalDate returnedOn =
        switch (status) {
          case "RETURNED", "ACCEPTED", "REJECTED" -> returned;
          default -> null;
        };
    line.add(rows++)
        .add(stateVoterId)
        .add(election)
        .add(requested)
        .add(sentOn)
        .add(returnedOn)
        .add(status)
        .writeTo(out);
  }
}
