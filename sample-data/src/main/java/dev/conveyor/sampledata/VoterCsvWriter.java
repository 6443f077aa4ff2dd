package dev.conveyor.sampledata;

import de.siegmar.fastcsv.writer.CsvWriter;
import dev.conveyor.sampledata.Geography.County;
import dev.conveyor.sampledata.VoterCsv.BadRow;
import dev.conveyor.sampledata.VoterCsv.Defect;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Writes voter files ({@link SampleRegistry#writeVoterCsv}). */
final class VoterCsvWriter {

  /** Files are at most this long, so that their state voter ids stay in their own range. */
  static final int MAX_ROWS = 10_000_000;

  private VoterCsvWriter() {}

  static VoterCsv write(OutputStream out, String countyName, int rows, int badRows, long seed)
      throws IOException {
    County county = VoterGenerator.county(countyName);
    if (county == null) {
      throw new IllegalArgumentException(
          "county must be one of " + String.join(", ", SampleRegistry.COUNTIES));
    }
    if (rows < 0 || rows > MAX_ROWS) {
      throw new IllegalArgumentException("rows must be from 0 to " + MAX_ROWS);
    }
    if (badRows < 0 || badRows > rows / 2) {
      throw new IllegalArgumentException("badRows must be from 0 to rows / 2");
    }
    County other =
        Geography.COUNTIES.get(
            (Geography.COUNTIES.indexOf(county) + 1) % Geography.COUNTIES.size());
    VoterGenerator generator = new VoterGenerator(rows, seed);
    Defect[] defects = Defect.values();
    List<BadRow> bad = new ArrayList<>(badRows);
    // Bad records at evenly spread positions, at least two apart (badRows <= rows / 2), so that
    // the record before a bad one is always good (the duplicate id repeats a kept record).
    int nextBad = badRows > 0 ? badPosition(0, rows, badRows) : -1;
    CsvWriter w = CsvLine.forFile(out);
    try {
      CsvLine line = new CsvLine();
      for (String column : VoterCsv.HEADER) {
        line.add(column);
      }
      line.writeTo(w);
      String previousId = "";
      for (int k = 0; k < rows; k++) {
        Voter v = generator.voterIn(county, VoterGenerator.IMPORT_INDEX_BASE + k);
        Defect defect = null;
        if (k == nextBad) {
          defect = defects[bad.size() % defects.length];
          v = spoil(v, defect, previousId, other);
          bad.add(new BadRow(k + 2, defect, v.stateVoterId()));
          nextBad = bad.size() < badRows ? badPosition(bad.size(), rows, badRows) : -1;
        }
        line.add(v.stateVoterId())
            .add(v.lastName())
            .add(v.firstName())
            .add(v.middleName())
            .add(v.suffix())
            .add(defect == Defect.INVALID_DATE_OF_BIRTH ? "1985-02-30" : v.dateOfBirth())
            .add(v.streetAddress())
            .add(v.city())
            .add(v.zipCode())
            .add(v.county())
            .add(defect == Defect.ASSEMBLY_DISTRICT_OUT_OF_RANGE ? 151 : v.assemblyDistrict())
            .add(defect == Defect.ELECTION_DISTRICT_OUT_OF_RANGE ? 0 : v.electionDistrict())
            .add(v.party())
            .add(v.status());
        if (defect != Defect.WRONG_COLUMN_COUNT) {
          line.add(v.registrationDate());
        }
        line.writeTo(w);
        previousId = v.stateVoterId();
      }
    } catch (UncheckedIOException e) {
      // FastCSV reports the stream's failure unchecked; this method's callers expect it checked.
      throw e.getCause();
    }
    // Flushed, not closed: the caller owns the stream.
    w.flush();
    return new VoterCsv(rows, bad);
  }

  private static int badPosition(int j, int rows, int badRows) {
    return (int) ((2L * j + 1) * rows / (2L * badRows));
  }

  /** The voter with one field made invalid (fields that are not strings are spoiled on output). */
  private static Voter spoil(Voter v, Defect defect, String previousId, County other) {
    return new Voter(
        defect == Defect.DUPLICATE_STATE_VOTER_ID ? previousId : v.stateVoterId(),
        v.firstName(),
        v.middleName(),
        defect == Defect.MISSING_LAST_NAME ? "" : v.lastName(),
        v.suffix(),
        v.dateOfBirth(),
        v.streetAddress(),
        v.city(),
        defect == Defect.INVALID_ZIP_CODE ? v.zipCode().substring(0, 4) : v.zipCode(),
        defect == Defect.OTHER_COUNTY ? other.name() : v.county(),
        v.assemblyDistrict(),
        v.electionDistrict(),
        defect == Defect.UNKNOWN_PARTY ? "XYZ" : v.party(),
        defect == Defect.UNKNOWN_STATUS ? "MOVED" : v.status(),
        defect == Defect.REGISTERED_BEFORE_BIRTH
            ? v.dateOfBirth().minusDays(1)
            : v.registrationDate(),
        v.updatedAt());
  }
}
