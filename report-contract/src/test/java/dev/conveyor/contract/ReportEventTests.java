package dev.conveyor.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

class ReportEventTests {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static ReportEvent event(String type) {
    return ReportEvent.of(type, UUID.randomUUID(), 7, 1, UUID.randomUUID(), Instant.now());
  }

  @Test
  void eachTypeNamesTheFieldsItNeeds() {
    assertThat(event(ReportEvent.STARTED).violations()).isEmpty();
    assertThat(event(ReportEvent.PROGRESS).violations())
        .containsExactly(new ReportEvent.Violation("progress", "is required, 0 to 100"));
    assertThat(event(ReportEvent.PROGRESS).withProgress(101).violations()).hasSize(1);
    assertThat(event(ReportEvent.COMPLETED).violations())
        .extracting(ReportEvent.Violation::field)
        .containsExactly("artifact.id");
    assertThat(event(ReportEvent.FAILED).violations())
        .extracting(ReportEvent.Violation::field)
        .containsExactly("error.code");
    assertThat(event(ReportEvent.FAILED).withError("X".repeat(101), "m").violations())
        .extracting(ReportEvent.Violation::message)
        .containsExactly("must be at most 100 characters");
    assertThat(
            new ReportEvent(null, "report.done", null, null, 0, null, null, null, null, null)
                .violations())
        .extracting(ReportEvent.Violation::field)
        .containsExactly("type", "reportId", "jobId", "attempt", "leaseToken");
  }

  @Test
  void anEventCarriesAFreshIdThatIsInItsBodyAndReadsBack() {
    ReportEvent sent = event(ReportEvent.FAILED).withError("BOOM", "it broke");

    ReportEvent read = JSON.readValue(JSON.writeValueAsBytes(sent), ReportEvent.class);

    assertThat(sent.id()).startsWith("evt_").isNotEqualTo(event(ReportEvent.FAILED).id());
    assertThat(read).isEqualTo(sent);
  }

  @Test
  void aReceiverThatIgnoresUnknownFieldsReadsANewerSendersEvent() {
    String newer =
        "{\"type\":\"report.started\",\"reportId\":\""
            + UUID.randomUUID()
            + "\",\"jobId\":1,\"attempt\":1,\"leaseToken\":\""
            + UUID.randomUUID()
            + "\",\"hostname\":\"w1\"}";

    assertThat(
            JSON.readerFor(ReportEvent.class)
                .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .<ReportEvent>readValue(newer)
                .violations())
        .isEmpty();
  }

  @Test
  void sqlFilesAreLoadedBesideTheirClassAndAMissingOneIsNamed() {
    assertThatThrownBy(() -> SqlFiles.load(ReportEventTests.class, "no_such.sql"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("missing SQL file dev/conveyor/contract/no_such.sql");
  }
}
