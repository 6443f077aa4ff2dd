package dev.conveyor.sampledata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SampleRegistryTests {

  private static final DataSource db = TestDatabase.get().dataSource();

  @Nested
  class Determinism {

    @Test
    void sameSizeAndSeedGiveIdenticalRowsIdsIncluded() throws SQLException {
      SampleRegistry.generate(db, 3_000, 7, IfNotEmpty.REPLACE);
      List<String> first = tableHashes();

      SampleRegistry.generate(db, 3_000, 7, IfNotEmpty.REPLACE);

      assertThat(tableHashes()).isEqualTo(first);
    }

    @Test
    void anotherSeedGivesOtherPeopleOnTheSameMap() throws SQLException {
      SampleSummary seven = SampleRegistry.generate(db, 3_000, 7, IfNotEmpty.REPLACE);
      List<String> first = tableHashes();

      SampleSummary eight = SampleRegistry.generate(db, 3_000, 8, IfNotEmpty.REPLACE);

      List<String> second = tableHashes();
      for (int table = 0; table < first.size(); table++) {
        assertThat(second.get(table)).isNotEqualTo(first.get(table));
      }
      assertThat(eight.voters()).isEqualTo(seven.voters());
    }

    private List<String> tableHashes() throws SQLException {
      List<String> hashes = new ArrayList<>();
      for (String table : List.of("voters", "county_committee_members", "absentee_applications")) {
        hashes.add(
            queryString(
                "SELECT md5(string_agg(t::text, E'\\n' ORDER BY t.id)) FROM " + table + " t"));
      }
      return hashes;
    }
  }

  @Nested
  class Contents {

    // One registry for every test here: they only read it.
    private static SampleSummary summary;

    @BeforeAll
    static void generate() throws SQLException {
      summary = SampleRegistry.generate(db, 20_000, 42, IfNotEmpty.REPLACE);
    }

    @Test
    void loadsTheRequestedVotersWithCommitteesAndAbsenteeApplications() throws SQLException {
      assertThat(summary.loaded()).isTrue();
      assertThat(summary.voters()).isEqualTo(20_000).isEqualTo(count("voters"));
      assertThat(summary.committeeMembers())
          .isEqualTo(count("county_committee_members"))
          .isPositive();
      assertThat(summary.absenteeApplications())
          .isEqualTo(count("absentee_applications"))
          // about 7 % of active voters for the general, 5 % of enrolled active for the primary
          .isBetween(1_000L, 2_500L);
      assertThat(summary.electionDates()).isEqualTo(SampleRegistry.ELECTION_DATES);
      assertThat(queryString("SELECT string_agg(DISTINCT county, ',' ORDER BY county) FROM voters"))
          .isEqualTo(String.join(",", SampleRegistry.COUNTIES.stream().sorted().toList()));
    }

    @Test
    void partiesAndStatusesFollowRealisticWeights() throws SQLException {
      // City counties: about two thirds DEM, a tenth REP, a fifth not enrolled.
      assertThat(share("party = 'DEM'", "county = 'Kings'")).isBetween(0.60, 0.72);
      assertThat(share("party = 'REP'", "county = 'Kings'")).isBetween(0.07, 0.15);
      assertThat(share("party = 'BLK'", "county = 'Kings'")).isBetween(0.14, 0.23);
      assertThat(share("party = 'REP'", "county = 'Nassau'")).isBetween(0.24, 0.36);
      assertThat(share("status = 'ACTIVE'", "true")).isBetween(0.85, 0.91);
      assertThat(count("voters WHERE status = 'PREREG' AND date_of_birth > DATE '2008-09-01'"))
          .isEqualTo(count("voters WHERE status = 'PREREG'"))
          .isPositive();
    }

    @Test
    void votersSitInTheirCountysAssemblyDistricts() throws SQLException {
      for (Geography.County county : Geography.COUNTIES) {
        assertThat(
                count(
                    "voters WHERE county = '%s' AND assembly_district NOT BETWEEN %d AND %d"
                        .formatted(county.name(), county.firstAd(), county.lastAd())))
            .as(county.name())
            .isZero();
      }
    }

    @Test
    void committeeSeatsAreAtMostTwoPerDistrictAndPartyWithOfficersAndLeaders() throws SQLException {
      assertThat(
              count(
                  "(SELECT 1 FROM county_committee_members"
                      + " GROUP BY county, assembly_district, election_district, party"
                      + " HAVING count(*) > 2) x"))
          .isZero();
      assertThat(
              queryString("SELECT string_agg(DISTINCT party, ',') FROM county_committee_members"))
          .isEqualTo("DEM,REP");
      // Vacancies: fewer rows than seats, and more of them in the minority party.
      long electionDistricts =
          count("(SELECT DISTINCT county, assembly_district, election_district FROM voters) x");
      assertThat(summary.committeeMembers()).isLessThan(electionDistricts * 4);
      assertThat(count("county_committee_members WHERE party = 'REP'"))
          .isLessThan(count("county_committee_members WHERE party = 'DEM'"));
      // Each county committee has one chair per party; districts have at most two leaders.
      assertThat(count("county_committee_members WHERE role = 'CHAIR'"))
          .isEqualTo(2L * Geography.COUNTIES.size());
      assertThat(
              count(
                  "(SELECT 1 FROM county_committee_members WHERE role = 'DISTRICT_LEADER'"
                      + " GROUP BY county, assembly_district, party HAVING count(*) > 2) x"))
          .isZero();
      assertThat(count("county_committee_members WHERE role = 'MEMBER'"))
          .isGreaterThan(summary.committeeMembers() / 3);
    }

    @Test
    void linkedCommitteeMembersAreActiveEnrolledVotersOfTheirDistrict() throws SQLException {
      long linked = count("county_committee_members WHERE voter_id IS NOT NULL");
      assertThat(linked).isPositive().isLessThan(count("county_committee_members"));
      assertThat(
              count(
                  "county_committee_members m JOIN voters v ON v.id = m.voter_id"
                      + " WHERE v.county = m.county"
                      + " AND v.assembly_district = m.assembly_district"
                      + " AND v.election_district = m.election_district"
                      + " AND v.party = m.party AND v.status = 'ACTIVE'"
                      + " AND m.name LIKE v.first_name || ' %' || v.last_name || '%'"))
          .isEqualTo(linked);
      assertThat(
              count(
                  "(SELECT voter_id FROM county_committee_members WHERE voter_id IS NOT NULL"
                      + " GROUP BY voter_id HAVING count(*) > 1) x"))
          .isZero();
    }

    @Test
    void absenteeDatesAgreeWithTheirStatus() throws SQLException {
      assertThat(
              queryString(
                  "SELECT string_agg(DISTINCT status, ',' ORDER BY status)"
                      + " FROM absentee_applications"))
          .isEqualTo("ACCEPTED,CANCELLED,REJECTED,REQUESTED,RETURNED,SENT");
      assertThat(count("absentee_applications WHERE status = 'REQUESTED' AND sent_on IS NOT NULL"))
          .isZero();
      assertThat(
              count(
                  "absentee_applications WHERE status IN ('RETURNED', 'ACCEPTED', 'REJECTED')"
                      + " AND returned_on IS NULL"))
          .isZero();
      assertThat(
              count(
                  "absentee_applications a JOIN voters v ON v.id = a.voter_id"
                      + " WHERE a.requested_on < v.registration_date OR v.status <> 'ACTIVE'"
                      + " OR a.requested_on > a.election_date"))
          .isZero();
      // New York's primaries are closed: no one outside a party with a primary votes in one.
      assertThat(
              count(
                  "absentee_applications a JOIN voters v ON v.id = a.voter_id"
                      + " WHERE a.election_date = DATE '2026-06-23'"
                      + " AND v.party NOT IN ('DEM', 'REP', 'CON', 'WOR')"))
          .isZero();
    }

    @Test
    void summaryNamesTheBusiestDistricts() throws SQLException {
      SampleSummary.District ad = summary.busiestAssemblyDistrict();
      assertThat(ad.voters())
          .isEqualTo(
              count(
                  "voters WHERE county = '%s' AND assembly_district = %d"
                      .formatted(ad.county(), ad.assemblyDistrict())))
          .isEqualTo(
              queryLong(
                  "SELECT max(n) FROM (SELECT count(*) n FROM voters"
                      + " GROUP BY county, assembly_district) x"));
      SampleSummary.District ed = summary.busiestElectionDistrict();
      assertThat(ed.electionDistrict()).isNotNull();
      assertThat(ed.voters())
          .isEqualTo(
              queryLong(
                  "SELECT max(n) FROM (SELECT count(*) n FROM voters"
                      + " GROUP BY county, assembly_district, election_district) x"));
      SampleSummary.District enrollment = summary.largestEnrollment();
      assertThat(enrollment).isNotNull();
      assertThat(enrollment.party()).isEqualTo("DEM");
      assertThat(enrollment.county()).isEqualTo("Kings");
      assertThat(enrollment.voters())
          .isEqualTo(
              count(
                  "voters WHERE county = 'Kings' AND assembly_district = %d"
                          .formatted(enrollment.assemblyDistrict())
                      + " AND party = 'DEM' AND status = 'ACTIVE'"));
    }
  }

  @Nested
  class NonEmptyRegistry {

    @Test
    void failLeavesTheRegistryAsItWas() throws SQLException {
      SampleRegistry.generate(db, 1_000, 1, IfNotEmpty.REPLACE);

      assertThatThrownBy(() -> SampleRegistry.generate(db, 2_000, 2))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("not empty");
      assertThat(count("voters")).isEqualTo(1_000);
    }

    @Test
    void skipKeepsTheRegistryAndReportsOnIt() throws SQLException {
      SampleRegistry.generate(db, 1_000, 1, IfNotEmpty.REPLACE);

      SampleSummary summary = SampleRegistry.generate(db, 2_000, 2, IfNotEmpty.SKIP);

      assertThat(summary.loaded()).isFalse();
      assertThat(summary.voters()).isEqualTo(1_000).isEqualTo(count("voters"));
    }

    @Test
    void replaceRestoresTheConnectionsAutoCommit() throws SQLException {
      try (Connection c = db.getConnection()) {
        SampleRegistry.generate(c, 1_000, 1, IfNotEmpty.REPLACE);

        assertThat(c.getAutoCommit()).isTrue();
      }
      assertThat(count("voters")).isEqualTo(1_000);
    }
  }

  @Test
  void refusesAnImpossibleSize() {
    assertThatThrownBy(() -> SampleRegistry.generate(db, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("voters must be from 1");
  }

  private static double share(String condition, String among) throws SQLException {
    return (double) count("voters WHERE " + among + " AND " + condition)
        / count("voters WHERE " + among);
  }

  static long count(String from) throws SQLException {
    return queryLong("SELECT count(*) FROM " + from);
  }

  static long queryLong(String sql) throws SQLException {
    return query(sql, Long.class);
  }

  static String queryString(String sql) throws SQLException {
    return query(sql, String.class);
  }

  private static <T> T query(String sql, Class<T> type) throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getObject(1, type);
    }
  }
}
