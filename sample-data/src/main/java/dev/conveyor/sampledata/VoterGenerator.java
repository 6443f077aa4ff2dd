package dev.conveyor.sampledata;

import dev.conveyor.sampledata.Geography.County;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Voters for a registry of a given size and seed. Voter {@code i} depends only on the seed, the
 * size and {@code i} (each has its own random stream), so any voter can be generated again on its
 * own, e.g. to name a committee member after the voter who holds the seat.
 *
 * <p>The size shapes the map: an assembly district gets about one election district per {@value
 * #VOTERS_PER_ELECTION_DISTRICT} expected voters (1 to 999), so a small test registry still has
 * several voters per district.
 */
final class VoterGenerator {

  /** The day the registry describes; every date is on or before it. */
  static final LocalDate AS_OF = LocalDate.of(2026, 9, 1);

  static final int VOTERS_PER_ELECTION_DISTRICT = 100;

  /** State voter ids of registry voters are numbered below this, those of import files above. */
  static final long IMPORT_INDEX_BASE = 100_000_000L;

  private static final long ID_SPACE = 1_000_000_000_000_000_000L; // 18 digits
  // Odd and not a multiple of 5, so (i * ID_STEP) mod 10^18 is a bijection: ids never collide.
  private static final long ID_STEP = 25_214_903_917L;
  private static final LocalDate EARLIEST_REGISTRATION = LocalDate.of(1965, 1, 1);
  private static final String INITIALS = "ABCDEFGHJKLMNPRSTW";

  /** An assembly district of the sample map, with its election districts 1..{@code eds}. */
  record District(County county, int assemblyDistrict, int eds, int firstEdIndex) {}

  private final long seed;
  private final List<District> districts;
  private final Map<String, List<District>> byCounty = new HashMap<>();
  private final double[] cumulativeWeight;
  private final int totalElectionDistricts;
  private final long idOffset;

  VoterGenerator(long size, long seed) {
    this.seed = seed;
    List<District> ds = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    int countyWeightTotal = Geography.COUNTIES.stream().mapToInt(County::weight).sum();
    int edIndex = 0;
    for (County county : Geography.COUNTIES) {
      double adWeightTotal = 0;
      for (int k = 0; k < county.assemblyDistricts(); k++) {
        adWeightTotal += Geography.assemblyDistrictWeight(k);
      }
      for (int k = 0; k < county.assemblyDistricts(); k++) {
        double weight =
            (double) county.weight()
                / countyWeightTotal
                * Geography.assemblyDistrictWeight(k)
                / adWeightTotal;
        long eds = Math.round(size * weight / VOTERS_PER_ELECTION_DISTRICT);
        int edCount = (int) Math.clamp(eds, 1, 999);
        District d = new District(county, county.firstAd() + k, edCount, edIndex);
        ds.add(d);
        byCounty.computeIfAbsent(county.name(), name -> new ArrayList<>()).add(d);
        weights.add(weight);
        edIndex += edCount;
      }
    }
    this.districts = List.copyOf(ds);
    this.totalElectionDistricts = edIndex;
    this.cumulativeWeight = new double[weights.size()];
    double sum = 0;
    for (int i = 0; i < weights.size(); i++) {
      sum += weights.get(i);
      cumulativeWeight[i] = sum;
    }
    this.idOffset = Math.floorMod(Rng.mix(seed), ID_SPACE);
  }

  List<District> districts() {
    return districts;
  }

  int totalElectionDistricts() {
    return totalElectionDistricts;
  }

  /** Voter {@code index} of the registry. */
  Voter voter(long index) {
    Rng r = Rng.of(seed, index);
    return voter(index, r, pickDistrict(r));
  }

  /** Voter {@code index} placed in {@code county} (import files, which hold one county). */
  Voter voterIn(County county, long index) {
    Rng r = Rng.of(seed, index);
    List<District> inCounty = Objects.requireNonNull(byCounty.get(county.name()));
    return voter(index, r, inCounty.get(r.nextInt(inCounty.size())));
  }

  /** The district of a generated voter. */
  District districtOf(Voter v) {
    List<District> inCounty = byCounty.get(v.county());
    if (inCounty == null) {
      throw new IllegalArgumentException("not on the sample map: " + v.county());
    }
    return inCounty.get(v.assemblyDistrict() - inCounty.getFirst().assemblyDistrict());
  }

  private District pickDistrict(Rng r) {
    double x = (r.nextLong() >>> 11) * 0x1.0p-53 * cumulativeWeight[cumulativeWeight.length - 1];
    int i = Arrays.binarySearch(cumulativeWeight, x);
    return districts.get(Math.min(i >= 0 ? i : -i - 1, districts.size() - 1));
  }

  private Voter voter(long index, Rng r, District d) {
    County county = d.county();
    int ed = 1 + r.nextInt(d.eds());
    boolean female = r.chance(52);
    List<String> firstNames = female ? Names.FEMALE_FIRST : Names.MALE_FIRST;
    String first = r.pick(firstNames);
    int m = r.nextInt(100);
    String middle =
        m < 30
            ? r.pick(firstNames)
            : m < 50 ? String.valueOf(INITIALS.charAt(r.nextInt(INITIALS.length()))) : null;
    String last = r.pick(Names.LAST);
    String suffix = !female && r.chance(5) ? r.pick(Names.SUFFIXES) : null;
    String status = Geography.STATUSES.get(r.weighted(Geography.STATUS_WEIGHTS));
    String party = Geography.PARTIES.get(r.weighted(county.lean().partyWeights));
    boolean prereg = status.equals("PREREG");
    // Pre-registration is for 16- and 17-year-olds; everyone else is 18 to 94.
    LocalDate dob =
        prereg
            ? AS_OF.minusYears(16).minusDays(r.nextInt(730))
            : AS_OF.minusYears(18 + r.nextInt(77)).minusDays(r.nextInt(365));
    LocalDate eligible = dob.plusYears(prereg ? 16 : 18);
    LocalDate from = eligible.isBefore(EARLIEST_REGISTRATION) ? EARLIEST_REGISTRATION : eligible;
    LocalDate registered =
        from.plusDays(r.nextInt((int) (AS_OF.toEpochDay() - from.toEpochDay()) + 1));
    String street =
        (1 + r.nextInt(2999))
            + " "
            + r.pick(Geography.STREETS)
            + (r.chance(25)
                ? " Apt " + (1 + r.nextInt(20)) + INITIALS.charAt(r.nextInt(INITIALS.length()))
                : "");
    String city = r.pick(county.cities());
    int zip = county.zipFrom() + r.nextInt(county.zipTo() - county.zipFrom() + 1);
    String zipCode = r.chance(10) ? zip5(zip) + "-" + plus4(r.nextInt(10_000)) : zip5(zip);
    LocalDate touched = AS_OF.minusDays(r.nextInt(1500));
    OffsetDateTime updatedAt =
        (touched.isBefore(registered) ? registered : touched)
            .atTime(LocalTime.ofSecondOfDay(r.nextInt(86_400)))
            .atOffset(ZoneOffset.UTC);
    return new Voter(
        stateVoterId(index),
        first,
        middle,
        last,
        suffix,
        dob,
        street,
        city,
        zipCode,
        county.name(),
        d.assemblyDistrict(),
        ed,
        party,
        status,
        registered,
        updatedAt);
  }

  /** NY and 18 digits, the shape of a New York SBOEID; unique per index. */
  String stateVoterId(long index) {
    long n = Math.floorMod(index * ID_STEP + idOffset, ID_SPACE);
    String digits = Long.toString(n);
    return "NY" + "0".repeat(18 - digits.length()) + digits;
  }

  private static String zip5(int zip) {
    return zip < 10_000 ? "0" + zip : Integer.toString(zip);
  }

  private static String plus4(int n) {
    String s = Integer.toString(n);
    return "0".repeat(4 - s.length()) + s;
  }

  static @Nullable County county(String name) {
    for (County c : Geography.COUNTIES) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    return null;
  }
}
