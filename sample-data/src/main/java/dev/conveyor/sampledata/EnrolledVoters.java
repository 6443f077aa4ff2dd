package dev.conveyor.sampledata;

import java.util.Arrays;

/**
 * The active voters of each election district enrolled in each committee party (DEM, REP), by voter
 * index: whom a committee seat can be linked to. Built in one pass over the voters and held as two
 * int arrays (a counting sort), not as lists of records, so a large registry stays small.
 */
final class EnrolledVoters {

  private final int[] start;
  private final int[] members;

  /**
   * {@code groupOfVoter[i]} is {@code electionDistrictIndex * 2 + partyIndex} for an enrolled
   * active voter, or -1.
   */
  EnrolledVoters(int[] groupOfVoter, int electionDistricts) {
    int groups = electionDistricts * CommitteeGenerator.PARTIES.size();
    start = new int[groups + 1];
    for (int g : groupOfVoter) {
      if (g >= 0) {
        start[g + 1]++;
      }
    }
    for (int g = 0; g < groups; g++) {
      start[g + 1] += start[g];
    }
    members = new int[start[groups]];
    int[] next = Arrays.copyOf(start, groups);
    for (int i = 0; i < groupOfVoter.length; i++) {
      int g = groupOfVoter[i];
      if (g >= 0) {
        members[next[g]++] = i;
      }
    }
  }

  static int group(int electionDistrictIndex, int partyIndex) {
    return electionDistrictIndex * CommitteeGenerator.PARTIES.size() + partyIndex;
  }

  /** Voter indexes, ascending. */
  int[] of(int electionDistrictIndex, int partyIndex) {
    int g = group(electionDistrictIndex, partyIndex);
    return Arrays.copyOfRange(members, start[g], start[g + 1]);
  }
}
