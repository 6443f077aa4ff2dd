package dev.conveyor.sampledata;

import java.util.List;

/**
 * A voter file written by {@link SampleRegistry#writeVoterCsv}: how many records, and which ones
 * were made invalid on purpose (what an import should reject, and why).
 *
 * @param rows data records (the header not counted)
 * @param badRows the deliberately invalid records, by line
 */
public record VoterCsv(int rows, List<BadRow> badRows) {

  /**
   * The columns of a voter file: the same as the voterList CSV export, so that an export can be
   * imported again. Dates are ISO ({@code 1984-03-07}); empty fields are absent values.
   */
  public static final List<String> HEADER =
      List.of(
          "State Voter ID",
          "Last Name",
          "First Name",
          "Middle Name",
          "Suffix",
          "Date of Birth",
          "Street Address",
          "City",
          "ZIP Code",
          "County",
          "Assembly District",
          "Election District",
          "Party",
          "Status",
          "Registration Date");

  public VoterCsv {
    badRows = List.copyOf(badRows);
  }

  /** How a bad record is wrong; each has exactly one defect. */
  public enum Defect {
    /** Last Name is empty. */
    MISSING_LAST_NAME,
    /** Date of Birth is not a date ({@code 1985-02-30}). */
    INVALID_DATE_OF_BIRTH,
    /** ZIP Code has four digits. */
    INVALID_ZIP_CODE,
    /** Party is not an enrollment code ({@code XYZ}). */
    UNKNOWN_PARTY,
    /** Status is not a status ({@code MOVED}). */
    UNKNOWN_STATUS,
    /** Assembly District is 151. */
    ASSEMBLY_DISTRICT_OUT_OF_RANGE,
    /** Election District is 0. */
    ELECTION_DISTRICT_OUT_OF_RANGE,
    /** County is another county than the file's. */
    OTHER_COUNTY,
    /** State Voter ID repeats the previous record's (which is valid and is kept). */
    DUPLICATE_STATE_VOTER_ID,
    /** Registration Date is the day before Date of Birth. */
    REGISTERED_BEFORE_BIRTH,
    /** The record has one field too few. */
    WRONG_COLUMN_COUNT
  }

  /**
   * One deliberately invalid record.
   *
   * @param line its line in the file (the header is line 1, the first record line 2)
   * @param defect what is wrong with it
   * @param stateVoterId its State Voter ID field
   */
  public record BadRow(int line, Defect defect, String stateVoterId) {}
}
