package dev.conveyor.api.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReportIdsTests {

  @Test
  void idsAreVersion7WithTheirCreationTimeAndTheRfcVariant() {
    long before = System.currentTimeMillis();
    UUID id = ReportIds.next();
    long after = System.currentTimeMillis();

    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(id.getMostSignificantBits() >>> 16).isBetween(before, after);
  }

  @Test
  void idsFromManyThreadsAreDistinct() {
    Set<UUID> ids = ConcurrentHashMap.newKeySet();
    IntStream.range(0, 20_000).parallel().forEach(i -> ids.add(ReportIds.next()));
    assertThat(ids).hasSize(20_000);
  }
}
