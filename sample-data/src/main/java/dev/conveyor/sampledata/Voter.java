package dev.conveyor.sampledata;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import org.jspecify.annotations.Nullable;

/** One generated registration, as the {@code voters} table holds it. */
record Voter(
    String stateVoterId,
    String firstName,
    @Nullable String middleName,
    String lastName,
    @Nullable String suffix,
    LocalDate dateOfBirth,
    String streetAddress,
    String city,
    String zipCode,
    String county,
    int assemblyDistrict,
    int electionDistrict,
    String party,
    String status,
    LocalDate registrationDate,
    OffsetDateTime updatedAt) {

  /** How a committee list prints the voter: first name, middle initial, last name, suffix. */
  String displayName() {
    StringBuilder s = new StringBuilder(firstName);
    if (middleName != null) {
      s.append(' ').append(middleName.charAt(0)).append('.');
    }
    s.append(' ').append(lastName);
    if (suffix != null) {
      s.append(' ').append(suffix);
    }
    return s.toString();
  }
}
