package dev.conveyor.sampledata;

import java.util.List;

/**
 * The counties of the sample registry, with their assembly districts (real New York numbers),
 * cities and ZIP code ranges. Fixed: the seed varies the people, never the map, so a test can name
 * a county and district without generating first.
 */
final class Geography {

  /** How a county leans; picks the enrollment weights. */
  enum Lean {
    CITY(66, 11, 1, 1, 3, 18),
    SUBURB(42, 30, 2, 1, 4, 21),
    UPSTATE(48, 22, 2, 1, 4, 23);

    /** Weights in {@link Geography#PARTIES} order. */
    final int[] partyWeights;

    Lean(int... partyWeights) {
      this.partyWeights = partyWeights;
    }
  }

  /**
   * A county: its share of the voters ({@code weight}), assembly districts {@code firstAd} to
   * {@code lastAd}, cities and ZIP codes {@code zipFrom} to {@code zipTo}.
   */
  record County(
      String name,
      int weight,
      int firstAd,
      int lastAd,
      Lean lean,
      List<String> cities,
      int zipFrom,
      int zipTo) {

    int assemblyDistricts() {
      return lastAd - firstAd + 1;
    }
  }

  static final List<County> COUNTIES =
      List.of(
          new County("Kings", 20, 41, 60, Lean.CITY, List.of("Brooklyn"), 11201, 11239),
          new County(
              "Queens",
              17,
              23,
              40,
              Lean.CITY,
              List.of(
                  "Astoria",
                  "Flushing",
                  "Jamaica",
                  "Forest Hills",
                  "Ridgewood",
                  "Bayside",
                  "Long Island City",
                  "Far Rockaway"),
              11354,
              11436),
          new County("New York", 12, 65, 76, Lean.CITY, List.of("New York"), 10001, 10040),
          new County("Bronx", 10, 77, 87, Lean.CITY, List.of("Bronx"), 10451, 10475),
          new County("Richmond", 4, 61, 64, Lean.CITY, List.of("Staten Island"), 10301, 10314),
          new County(
              "Nassau",
              8,
              13,
              21,
              Lean.SUBURB,
              List.of("Hempstead", "Freeport", "Levittown", "Garden City", "Valley Stream"),
              11510,
              11598),
          new County(
              "Westchester",
              6,
              88,
              93,
              Lean.SUBURB,
              List.of("Yonkers", "New Rochelle", "White Plains", "Mount Vernon", "Peekskill"),
              10550,
              10710),
          new County(
              "Erie",
              6,
              140,
              149,
              Lean.UPSTATE,
              List.of("Buffalo", "Amherst", "Cheektowaga", "Tonawanda", "Lackawanna"),
              14201,
              14228),
          new County(
              "Monroe",
              5,
              133,
              138,
              Lean.UPSTATE,
              List.of("Rochester", "Greece", "Irondequoit", "Brighton", "Henrietta"),
              14604,
              14626),
          new County(
              "Albany",
              3,
              108,
              110,
              Lean.UPSTATE,
              List.of("Albany", "Colonie", "Cohoes", "Watervliet"),
              12202,
              12211));

  /** Enrollment codes as the voter file spells them; BLK is not enrolled. */
  static final List<String> PARTIES = List.of("DEM", "REP", "CON", "WOR", "OTH", "BLK");

  static final List<String> STATUSES = List.of("ACTIVE", "INACTIVE", "PURGED", "PREREG");
  static final int[] STATUS_WEIGHTS = {88, 7, 4, 1};

  static final List<String> STREETS =
      List.of(
          "Broadway",
          "Main St",
          "Park Ave",
          "Atlantic Ave",
          "Flatbush Ave",
          "Ocean Pkwy",
          "Bedford Ave",
          "Court St",
          "Church Ave",
          "Fulton St",
          "Jamaica Ave",
          "Northern Blvd",
          "Queens Blvd",
          "Roosevelt Ave",
          "Grand Concourse",
          "Fordham Rd",
          "Amsterdam Ave",
          "Lexington Ave",
          "Riverside Dr",
          "Victory Blvd",
          "Hylan Blvd",
          "Elm St",
          "Oak St",
          "Maple Ave",
          "Pine St",
          "Cedar Ln",
          "Washington Ave",
          "Lincoln Pl",
          "Franklin Ave",
          "Central Ave",
          "Union St",
          "Delaware Ave",
          "Elmwood Ave",
          "Monroe Ave",
          "Lake Ave",
          "State St",
          "Hudson Ave",
          "Madison Ave",
          "Clinton St",
          "Jefferson Ave");

  private Geography() {}

  /**
   * Relative size of the {@code k}-th (0-based) assembly district of a county: a gentle skew, so
   * the first district of a county is its busiest, and benchmarks have a large district to aim at.
   */
  static double assemblyDistrictWeight(int k) {
    return 1.0 / Math.pow(k + 1, 0.7);
  }
}
