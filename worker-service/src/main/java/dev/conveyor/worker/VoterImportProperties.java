package dev.conveyor.worker;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * voterImport's transactions ({@code conveyor.worker-service.voter-import.*}, environment {@code
 * CONVEYOR_WORKER_SERVICE_VOTER_IMPORT_*}).
 *
 * @param sliceSize staged records per slice of the registry upsert, each slice its own short
 *     transaction (with its progress on the import's audit row); also the staging rows per delete
 *     once an import ended, and per delete of the sweep. 2,000 by default: a slice of 2,000 new
 *     voters commits in tens of milliseconds, far below the 2-second bound on a worker transaction
 *     (docs/design-notes-worker.md, Issue 15.3). At most 100,000
 */
@ConfigurationProperties("conveyor.worker-service.voter-import")
public record VoterImportProperties(@DefaultValue("2000") int sliceSize) {

  /** The most rows one slice may hold: a larger slice would be one long transaction again. */
  public static final int MAX_SLICE_SIZE = 100_000;

  public VoterImportProperties {
    if (sliceSize < 1 || sliceSize > MAX_SLICE_SIZE) {
      throw new IllegalArgumentException(
          "conveyor.worker-service.voter-import.slice-size must be from 1 to "
              + MAX_SLICE_SIZE
              + ", was "
              + sliceSize);
    }
  }
}
