package dev.conveyor.sampledata;

import java.time.LocalDate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the registry holds after {@link SampleRegistry#generate}: counts read back from the
 * database, and districts for tests and benchmarks to aim at.
 *
 * @param loaded false when an existing registry was kept ({@link IfNotEmpty#SKIP})
 * @param voters rows in {@code voters}
 * @param committeeMembers rows in {@code county_committee_members} (filled seats)
 * @param absenteeApplications rows in {@code absentee_applications}
 * @param electionDates the elections the generator writes absentee applications for
 * @param busiestAssemblyDistrict the assembly district with the most voters
 * @param busiestElectionDistrict the election district with the most voters
 * @param largestEnrollment the assembly district and party with the most active enrolled voters
 *     (the largest designating petition); null if no active voter is enrolled
 */
public record SampleSummary(
    boolean loaded,
    long voters,
    long committeeMembers,
    long absenteeApplications,
    List<LocalDate> electionDates,
    District busiestAssemblyDistrict,
    District busiestElectionDistrict,
    @Nullable District largestEnrollment) {

  /**
   * A district and how many voters it holds.
   *
   * @param county county name, as in {@code voters.county}
   * @param assemblyDistrict 1–150
   * @param electionDistrict 1–999, or null for a whole assembly district
   * @param party the party counted, or null for every voter
   * @param voters how many voters (for {@code largestEnrollment}: active enrolled ones)
   */
  public record District(
      String county,
      int assemblyDistrict,
      @Nullable Integer electionDistrict,
      @Nullable String party,
      long voters) {

    @Override
    public String toString() {
      return county
          + " AD "
          + assemblyDistrict
          + (electionDistrict != null ? " ED " + electionDistrict : "")
          + (party != null ? " " + party : "")
          + " (%,d voters)".formatted(voters);
    }
  }

  @Override
  public String toString() {
    return "%s %,d voters, %,d committee members, %,d absentee applications (elections %s);"
            .formatted(
                loaded ? "loaded" : "kept",
                voters,
                committeeMembers,
                absenteeApplications,
                electionDates)
        + " busiest AD: %s; busiest ED: %s; largest enrollment: %s"
            .formatted(busiestAssemblyDistrict, busiestElectionDistrict, largestEnrollment);
  }
}
