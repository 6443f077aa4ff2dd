package dev.conveyor.worker.report;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Checks one record of a voterImport file (the {@link VoterListReport#COLUMNS} columns) against the
 * rules of the {@code voters} table and of the import, and turns it into the values to stage. Every
 * problem of a record is reported, not only the first, so that a client fixes a line once.
 */
final class VoterRecordCheck {

  static final int MAX_TEXT = 200;

  private static final Pattern STATE_VOTER_ID = Pattern.compile("[A-Za-z0-9]{1,25}");
  private static final Pattern ZIP_CODE = Pattern.compile("[0-9]{5}(-[0-9]{4})?");
  private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,4}");
  // LocalDate.parse alone also takes a signed year of more than four digits (+12000-01-01).
  private static final Pattern DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");
  private static final LocalDate EARLIEST = LocalDate.of(1900, 1, 1);

  /**
   * The outcome: {@code values} in staging column order (state voter id first, without the line)
   * when the record is valid, else the {@code reason} it is refused.
   */
  record Result(@Nullable List<@Nullable Object> values, @Nullable String reason) {}

  private final String county;

  /** {@code county}: the report's county, which every record must name. */
  VoterRecordCheck(String county) {
    this.county = county;
  }

  Result check(List<String> fields) {
    if (fields.size() != VoterListReport.COLUMNS.size()) {
      return refused(
          "expected " + VoterListReport.COLUMNS.size() + " fields, found " + fields.size());
    }
    List<String> problems = new ArrayList<>();
    String id = text(fields, 0, true, problems);
    if (id != null && !STATE_VOTER_ID.matcher(id).matches()) {
      problems.add("State Voter ID must be 1 to 25 letters and digits");
    }
    String last = text(fields, 1, true, problems);
    String first = text(fields, 2, true, problems);
    String middle = text(fields, 3, false, problems);
    String suffix = text(fields, 4, false, problems);
    LocalDate born = date(fields, 5, problems);
    String street = text(fields, 6, true, problems);
    String city = text(fields, 7, true, problems);
    String zip = text(fields, 8, true, problems);
    if (zip != null && !ZIP_CODE.matcher(zip).matches()) {
      problems.add("ZIP Code must be 5 digits or ZIP+4 (12345-6789)");
    }
    String recordCounty = text(fields, 9, true, problems);
    if (recordCounty != null && !recordCounty.equalsIgnoreCase(county)) {
      problems.add("County must be " + county + ", the county of this import");
    }
    Integer ad = number(fields, 10, 150, problems);
    Integer ed = number(fields, 11, 999, problems);
    String party = code(fields, 12, VoterListReport.PARTIES, problems);
    String status = code(fields, 13, VoterListReport.STATUSES, problems);
    LocalDate registered = date(fields, 14, problems);
    if (born != null && registered != null && registered.isBefore(born)) {
      problems.add("Registration Date must not be before Date of Birth");
    }
    if (!problems.isEmpty()) {
      return refused(String.join("; ", problems));
    }
    List<@Nullable Object> values = new ArrayList<>(VoterListReport.COLUMNS.size());
    // Staging (and voters) column order: first name before middle and last name.
    values.add(id);
    values.add(first);
    values.add(middle);
    values.add(last);
    values.add(suffix);
    values.add(born);
    values.add(street);
    values.add(city);
    values.add(zip);
    values.add(county);
    values.add(ad);
    values.add(ed);
    values.add(party);
    values.add(status);
    values.add(registered);
    return new Result(values, null);
  }

  private static Result refused(String reason) {
    return new Result(null, reason);
  }

  private static String column(int i) {
    return VoterListReport.COLUMNS.get(i);
  }

  private static @Nullable String text(
      List<String> fields, int i, boolean required, List<String> problems) {
    String value = undefused(fields.get(i).strip());
    if (value.isEmpty()) {
      if (required) {
        problems.add(column(i) + " is required");
      }
      return null;
    }
    if (value.length() > MAX_TEXT) {
      problems.add(column(i) + " is longer than " + MAX_TEXT + " characters");
      return null;
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      problems.add(column(i) + " must not contain control characters");
      return null;
    }
    return value;
  }

  /**
   * The value without the apostrophe that our CSV reports put before text a spreadsheet would run
   * as a formula ({@link CsvTableWriter}), so that an export imports unchanged; a spreadsheet
   * program drops it too.
   */
  private static String undefused(String value) {
    if (value.length() > 1 && value.charAt(0) == '\'') {
      char next = value.charAt(1);
      if (next == '=' || next == '+' || next == '-' || next == '@') {
        return value.substring(1);
      }
    }
    return value;
  }

  private static @Nullable LocalDate date(List<String> fields, int i, List<String> problems) {
    String value = text(fields, i, true, problems);
    if (value == null) {
      return null;
    }
    try {
      if (!DATE.matcher(value).matches()) {
        throw new DateTimeParseException("not YYYY-MM-DD", value, 0);
      }
      LocalDate date = LocalDate.parse(value);
      if (date.isBefore(EARLIEST)) {
        problems.add(column(i) + " must not be before " + EARLIEST);
        return null;
      }
      return date;
    } catch (DateTimeParseException e) {
      problems.add(column(i) + " must be a date as YYYY-MM-DD");
      return null;
    }
  }

  private static @Nullable Integer number(
      List<String> fields, int i, int max, List<String> problems) {
    String value = text(fields, i, true, problems);
    if (value == null) {
      return null;
    }
    int n = WHOLE_NUMBER.matcher(value).matches() ? Integer.parseInt(value) : 0;
    if (n < 1 || n > max) {
      problems.add(column(i) + " must be a whole number from 1 to " + max);
      return null;
    }
    return n;
  }

  private static @Nullable String code(
      List<String> fields, int i, List<String> allowed, List<String> problems) {
    String value = text(fields, i, true, problems);
    if (value == null) {
      return null;
    }
    String code = value.toUpperCase(Locale.ROOT);
    if (!allowed.contains(code)) {
      problems.add(column(i) + " must be one of " + String.join(", ", allowed));
      return null;
    }
    return code;
  }
}
