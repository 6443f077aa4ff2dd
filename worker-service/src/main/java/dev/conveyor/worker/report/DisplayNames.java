package dev.conveyor.worker.report;

import java.util.Locale;

/** How the registry's codes read in a report. */
final class DisplayNames {

  private DisplayNames() {}

  /** {@code REQUESTED} → {@code Requested}, {@code VICE_CHAIR} → {@code Vice Chair}. */
  static String code(String code) {
    StringBuilder name = new StringBuilder();
    for (String word : code.split("_")) {
      if (!word.isEmpty()) {
        if (!name.isEmpty()) {
          name.append(' ');
        }
        name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
      }
    }
    return name.toString();
  }

  /** A party's name from its enrollment code: {@code DEM} → {@code Democratic}. */
  static String party(String code) {
    return switch (code) {
      case "DEM" -> "Democratic";
      case "REP" -> "Republican";
      case "CON" -> "Conservative";
      case "WOR" -> "Working Families";
      case "OTH" -> "Other";
      default -> code;
    };
  }
}
