package dev.conveyor.worker.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One voterImport record against README's rules ("dates YYYY-MM-DD from 1900"). */
class VoterRecordCheckTests {

  final VoterRecordCheck check = new VoterRecordCheck("Monroe");

  private static List<String> record(String dateOfBirth, String registrationDate) {
    return new ArrayList<>(
        List.of(
            "NY1234",
            "Adams",
            "Amy",
            "",
            "",
            dateOfBirth,
            "1 Elm St",
            "Rochester",
            "14604",
            "Monroe",
            "136",
            "12",
            "DEM",
            "ACTIVE",
            registrationDate));
  }

  @Test
  void aRecordWithYyyyMmDdDatesIsAccepted() {
    VoterRecordCheck.Result result = check.check(record("1970-01-31", "1990-02-01"));

    assertThat(result.reason()).isNull();
    assertThat(result.values()).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"+12000-01-01", "+1970-01-01", "1970-1-31", "19700131"})
  void aDateNotWrittenYyyyMmDdIsRejected(String date) {
    VoterRecordCheck.Result born = check.check(record(date, "+99999-01-01"));

    assertThat(born.values()).isNull();
    assertThat(born.reason())
        .contains("Date of Birth must be a date as YYYY-MM-DD")
        .contains("Registration Date must be a date as YYYY-MM-DD");
  }
}
