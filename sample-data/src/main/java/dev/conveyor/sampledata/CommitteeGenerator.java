package dev.conveyor.sampledata;

import de.siegmar.fastcsv.writer.CsvWriter;
import dev.conveyor.sampledata.VoterGenerator.District;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * County committee seats: two per election district for each of DEM and REP. Some seats are vacant
 * (no row; more often for the minority party), most holders are registered in their district and
 * linked to that registration, and each county committee has its officers and each assembly
 * district its district leaders; everyone else is a MEMBER.
 */
final class CommitteeGenerator {

  static final List<String> PARTIES = List.of("DEM", "REP");
  static final int SEATS_PER_DISTRICT = 2;

  /** Elected at the June 2026 primary for two years. */
  static final LocalDate TERM_START = LocalDate.of(2026, 7, 1);

  static final LocalDate TERM_END = LocalDate.of(2028, 6, 30);

  private static final int[] VACANT_PERCENT = {12, 35};
  private static final int LINKED_PERCENT = 70;
  private static final List<String> COUNTY_OFFICERS =
      List.of("CHAIR", "VICE_CHAIR", "SECRETARY", "TREASURER");
  private static final int DISTRICT_LEADERS = 2;

  /** One filled seat. */
  private static final class Seat {
    final District district;
    final int electionDistrict;
    final String party;
    final String name;
    final @Nullable String stateVoterId;
    final @Nullable LocalDate termStart;
    final @Nullable LocalDate termEnd;
    String role = "MEMBER";

    Seat(
        District district,
        int electionDistrict,
        String party,
        String name,
        @Nullable String stateVoterId,
        @Nullable LocalDate termStart,
        @Nullable LocalDate termEnd) {
      this.district = district;
      this.electionDistrict = electionDistrict;
      this.party = party;
      this.name = name;
      this.stateVoterId = stateVoterId;
      this.termStart = termStart;
      this.termEnd = termEnd;
    }
  }

  private final VoterGenerator voters;
  private final EnrolledVoters enrolled;
  private final Rng rng;

  CommitteeGenerator(VoterGenerator voters, EnrolledVoters enrolled, long seed) {
    this.voters = voters;
    this.enrolled = enrolled;
    this.rng = Rng.of(seed, -2);
  }

  /**
   * Writes every filled seat as a staging row ({@code create_committee_staging.sql} columns) and
   * returns how many.
   */
  int write(CsvWriter out) {
    List<Seat> seats = seats();
    CsvLine line = new CsvLine();
    for (int i = 0; i < seats.size(); i++) {
      Seat s = seats.get(i);
      line.add(i)
          .add(s.district.county().name())
          .add(s.district.assemblyDistrict())
          .add(s.electionDistrict)
          .add(s.party)
          .add(s.name)
          .add(s.role)
          .add(s.stateVoterId)
          .add(s.termStart)
          .add(s.termEnd)
          .writeTo(out);
    }
    return seats.size();
  }

  private List<Seat> seats() {
    List<Seat> all = new ArrayList<>();
    for (Geography.County county : Geography.COUNTIES) {
      for (int p = 0; p < PARTIES.size(); p++) {
        List<List<Seat>> byAssemblyDistrict = new ArrayList<>();
        List<Seat> countySeats = new ArrayList<>();
        for (District d : voters.districts()) {
          if (d.county().equals(county)) {
            List<Seat> districtSeats = new ArrayList<>();
            for (int ed = 1; ed <= d.eds(); ed++) {
              districtSeats.addAll(seats(d, ed, p));
            }
            byAssemblyDistrict.add(districtSeats);
            countySeats.addAll(districtSeats);
          }
        }
        // The county's officers first, so that even a small county has them; then each
        // assembly district's leaders among the remaining members.
        appoint(countySeats, COUNTY_OFFICERS);
        for (List<Seat> districtSeats : byAssemblyDistrict) {
          appoint(districtSeats, Collections.nCopies(DISTRICT_LEADERS, "DISTRICT_LEADER"));
        }
        all.addAll(countySeats);
      }
    }
    return all;
  }

  private List<Seat> seats(District d, int ed, int partyIndex) {
    String party = PARTIES.get(partyIndex);
    int[] eligible = enrolled.of(d.firstEdIndex() + ed - 1, partyIndex);
    int firstPick = -1;
    List<Seat> seats = new ArrayList<>(SEATS_PER_DISTRICT);
    for (int seat = 0; seat < SEATS_PER_DISTRICT; seat++) {
      if (rng.chance(VACANT_PERCENT[partyIndex])) {
        continue;
      }
      String name;
      String stateVoterId = null;
      int available = eligible.length - (firstPick >= 0 ? 1 : 0);
      if (available > 0 && rng.chance(LINKED_PERCENT)) {
        // A second linked seat takes another voter than the first.
        int pick =
            firstPick < 0
                ? rng.nextInt(eligible.length)
                : (firstPick + 1 + rng.nextInt(eligible.length - 1)) % eligible.length;
        firstPick = pick;
        Voter v = voters.voter(eligible[pick]);
        name = v.displayName();
        stateVoterId = v.stateVoterId();
      } else {
        // Moved away or never matched to a registration: the seat is held, unlinked.
        List<String> first = rng.chance(50) ? Names.FEMALE_FIRST : Names.MALE_FIRST;
        name = rng.pick(first) + " " + rng.pick(Names.LAST);
      }
      int t = rng.nextInt(100);
      LocalDate start;
      LocalDate end;
      if (t < 3) {
        start = null;
        end = null;
      } else if (t < 13) {
        // Appointed to a vacancy after the term began.
        start = TERM_START.plusDays(1 + rng.nextInt(60));
        end = TERM_END;
      } else {
        start = TERM_START;
        end = TERM_END;
      }
      seats.add(new Seat(d, ed, party, name, stateVoterId, start, end));
    }
    return seats;
  }

  /** Gives {@code roles} to distinct random members still without one (as many as there are). */
  private void appoint(List<Seat> seats, List<String> roles) {
    List<Seat> candidates = new ArrayList<>();
    for (Seat s : seats) {
      if (s.role.equals("MEMBER")) {
        candidates.add(s);
      }
    }
    for (String role : roles) {
      if (candidates.isEmpty()) {
        return;
      }
      candidates.remove(rng.nextInt(candidates.size())).role = role;
    }
  }
}
