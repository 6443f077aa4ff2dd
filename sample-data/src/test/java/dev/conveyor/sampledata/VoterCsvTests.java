package dev.conveyor.sampledata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.sampledata.VoterCsv.BadRow;
import dev.conveyor.sampledata.VoterCsv.Defect;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class VoterCsvTests {

  @Test
  void sameArgumentsGiveTheSameBytes() throws IOException {
    assertThat(write("Queens", 500, 20, 3)).isEqualTo(write("Queens", 500, 20, 3));
    assertThat(write("Queens", 500, 20, 3)).isNotEqualTo(write("Queens", 500, 20, 4));
  }

  @Test
  void goodRecordsHaveTheVoterListColumnsAndAreValid() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    VoterCsv written = SampleRegistry.writeVoterCsv(out, "Kings", 1_000, 0, 1);

    List<String> lines = lines(out);
    assertThat(written.rows()).isEqualTo(1_000);
    assertThat(written.badRows()).isEmpty();
    assertThat(lines).hasSize(1_001);
    assertThat(lines.getFirst()).isEqualTo(String.join(",", VoterCsv.HEADER));
    Set<String> ids = new HashSet<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      assertThat(f).hasSize(VoterCsv.HEADER.size());
      assertThat(ids.add(f[0])).isTrue();
      assertThat(f[0]).matches("NY[0-9]{18}");
      assertThat(f[1]).isNotEmpty();
      assertThat(f[5]).matches("[0-9]{4}-[0-9]{2}-[0-9]{2}");
      assertThat(f[8]).matches("^[0-9]{5}(-[0-9]{4})?$");
      assertThat(f[9]).isEqualTo("Kings");
      assertThat(Integer.parseInt(f[10])).isBetween(41, 60);
      assertThat(Integer.parseInt(f[11])).isBetween(1, 999);
      assertThat(f[12]).isIn("DEM", "REP", "CON", "WOR", "OTH", "BLK");
      assertThat(f[13]).isIn("ACTIVE", "INACTIVE", "PURGED", "PREREG");
      assertThat(f[14]).isGreaterThanOrEqualTo(f[5]);
    }
  }

  @Test
  void badRecordsAreSpreadOutWithOneDefectEachInTurn() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    VoterCsv written = SampleRegistry.writeVoterCsv(out, "Bronx", 1_000, 22, 1);

    List<String> lines = lines(out);
    assertThat(written.badRows()).hasSize(22);
    assertThat(written.badRows().stream().map(BadRow::defect).distinct())
        .containsExactly(Defect.values());
    Map<Defect, BadRow> first =
        written.badRows().stream()
            .collect(Collectors.toMap(BadRow::defect, Function.identity(), (a, b) -> a));
    assertThat(field(lines, first.get(Defect.MISSING_LAST_NAME), 1)).isEqualTo("\"\"");
    assertThat(field(lines, first.get(Defect.INVALID_DATE_OF_BIRTH), 5)).isEqualTo("1985-02-30");
    assertThat(field(lines, first.get(Defect.INVALID_ZIP_CODE), 8)).matches("[0-9]{4}");
    assertThat(field(lines, first.get(Defect.UNKNOWN_PARTY), 12)).isEqualTo("XYZ");
    assertThat(field(lines, first.get(Defect.UNKNOWN_STATUS), 13)).isEqualTo("MOVED");
    assertThat(field(lines, first.get(Defect.ASSEMBLY_DISTRICT_OUT_OF_RANGE), 10)).isEqualTo("151");
    assertThat(field(lines, first.get(Defect.ELECTION_DISTRICT_OUT_OF_RANGE), 11)).isEqualTo("0");
    assertThat(field(lines, first.get(Defect.OTHER_COUNTY), 9)).isEqualTo("Richmond");
    BadRow duplicate = first.get(Defect.DUPLICATE_STATE_VOTER_ID);
    assertThat(field(lines, duplicate, 0)).isEqualTo(lines.get(duplicate.line() - 2).split(",")[0]);
    BadRow early = first.get(Defect.REGISTERED_BEFORE_BIRTH);
    assertThat(field(lines, early, 14)).isLessThan(field(lines, early, 5));
    assertThat(lines.get(first.get(Defect.WRONG_COLUMN_COUNT).line() - 1).split(",", -1))
        .hasSize(VoterCsv.HEADER.size() - 1);
    // No two bad records are adjacent, and every other record is whole.
    int[] badLines = written.badRows().stream().mapToInt(BadRow::line).toArray();
    for (int i = 1; i < badLines.length; i++) {
      assertThat(badLines[i] - badLines[i - 1]).isGreaterThanOrEqualTo(2);
    }
    for (int line = 2; line <= lines.size(); line++) {
      if (Arrays.binarySearch(badLines, line) < 0) {
        assertThat(lines.get(line - 1).split(",", -1)).hasSize(VoterCsv.HEADER.size());
      }
    }
  }

  @Test
  void refusesAnUnknownCountyAndTooManyBadRows() {
    assertThatThrownBy(() -> write("Gotham", 10, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Kings");
    assertThatThrownBy(() -> write("Kings", 10, 6, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("badRows");
  }

  private static byte[] write(String county, int rows, int bad, long seed) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SampleRegistry.writeVoterCsv(out, county, rows, bad, seed);
    return out.toByteArray();
  }

  private static List<String> lines(ByteArrayOutputStream out) {
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).endsWith("\r\n");
    return List.of(text.split("\r\n"));
  }

  private static String field(List<String> lines, BadRow row, int column) {
    return lines.get(row.line() - 1).split(",", -1)[column];
  }
}
