package dev.conveyor.sampledata;

/** What {@link SampleRegistry#generate} does when the registry already holds voters. */
public enum IfNotEmpty {
  /** Refuse with an {@link IllegalStateException}; nothing is written. The default. */
  FAIL,
  /** Keep the registry as it is and only report on it (a launcher that seeds once). */
  SKIP,
  /**
   * Empty the voters, committee seats and absentee applications ({@code TRUNCATE … RESTART
   * IDENTITY}), then load; all in one transaction, so readers see the old registry or the new.
   */
  REPLACE
}
