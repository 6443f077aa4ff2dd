package dev.conveyor.worker.report;

import java.time.LocalDate;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Hand-made voter-registry rows for generator tests. Tests share one committed database: each uses
 * a county of its own.
 */
final class Registry {

  private static final AtomicInteger SEQ = new AtomicInteger();

  private final JdbcClient jdbc;

  Registry(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** A county name no other test uses. */
  static String county(String prefix) {
    return prefix + " " + System.nanoTime() + "-" + SEQ.incrementAndGet();
  }

  long voter(
      String county,
      int ad,
      int ed,
      String party,
      String status,
      String last,
      String first,
      String street) {
    return jdbc.sql(
            """
            INSERT INTO voters (state_voter_id, first_name, last_name, date_of_birth,
                                street_address, city, zip_code, county, assembly_district,
                                election_district, party, status, registration_date)
            VALUES (:sboeid, :first, :last, DATE '1970-01-01', :street, 'Albany', '12207',
                    :county, :ad, :ed, :party, :status, DATE '2000-01-01')
            RETURNING id
            """)
        .param("sboeid", sboeid())
        .param("first", first)
        .param("last", last)
        .param("street", street)
        .param("county", county)
        .param("ad", ad)
        .param("ed", ed)
        .param("party", party)
        .param("status", status)
        .query(Long.class)
        .single();
  }

  String stateVoterId(long voterId) {
    return jdbc.sql("SELECT state_voter_id FROM voters WHERE id = :id")
        .param("id", voterId)
        .query(String.class)
        .single();
  }

  void member(
      String county, int ad, int ed, String party, String role, String name, @Nullable Long voter) {
    jdbc.sql(
            """
            INSERT INTO county_committee_members (county, assembly_district, election_district,
                                                  party, name, role, voter_id)
            VALUES (:county, :ad, :ed, :party, :name, :role, :voter)
            """)
        .param("county", county)
        .param("ad", ad)
        .param("ed", ed)
        .param("party", party)
        .param("name", name)
        .param("role", role)
        .param("voter", voter, java.sql.Types.BIGINT)
        .update();
  }

  /** An application whose dates fit its status (sent and returned as far as the status goes). */
  void application(long voter, LocalDate election, String status) {
    LocalDate requested = election.minusDays(30);
    boolean sent = !status.equals("REQUESTED") && !status.equals("CANCELLED");
    boolean returned = sent && !status.equals("SENT");
    jdbc.sql(
            """
            INSERT INTO absentee_applications (voter_id, election_date, requested_on, sent_on,
                                               returned_on, status)
            VALUES (:voter, :election, :requested, :sent, :returned, :status)
            """)
        .param("voter", voter)
        .param("election", election)
        .param("requested", requested)
        .param("sent", sent ? requested.plusDays(5) : null, java.sql.Types.DATE)
        .param("returned", returned ? requested.plusDays(15) : null, java.sql.Types.DATE)
        .param("status", status)
        .update();
  }

  private static String sboeid() {
    return "NY" + System.nanoTime() + "-" + SEQ.incrementAndGet();
  }
}
