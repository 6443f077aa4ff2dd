package dev.conveyor.api.console;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The overview's chart of jobs completed and failed per minute over the last hour, laid out for an
 * inline SVG (no chart library, no JavaScript): one bar per minute, failed stacked on completed,
 * scaled to the busiest minute. Coordinates are in the SVG's own units ({@link #WIDTH} × {@link
 * #HEIGHT}).
 */
record ThroughputChart(List<Bar> bars, long max, long completed, long failed) {

  static final int WIDTH = 600;
  static final int HEIGHT = 120;
  static final int MINUTES = 60;
  private static final int BAR = WIDTH / MINUTES;

  /** One minute: its label and the two stacked rectangles (y from the top, heights). */
  record Bar(
      String label,
      long completed,
      long failed,
      int x,
      int width,
      int completedY,
      int completedHeight,
      int failedY,
      int failedHeight) {}

  static ThroughputChart of(List<ConsoleRepository.Minute> minutes, Instant now) {
    Map<Instant, ConsoleRepository.Minute> byMinute = new HashMap<>();
    for (ConsoleRepository.Minute m : minutes) {
      byMinute.put(m.minute(), m);
    }
    Instant first = now.truncatedTo(ChronoUnit.MINUTES).minus(MINUTES - 1, ChronoUnit.MINUTES);
    long max = 1;
    long completed = 0;
    long failed = 0;
    for (ConsoleRepository.Minute m : minutes) {
      max = Math.max(max, m.completed() + m.failed());
      completed += m.completed();
      failed += m.failed();
    }
    List<Bar> bars = new ArrayList<>();
    for (int i = 0; i < MINUTES; i++) {
      Instant at = first.plus(i, ChronoUnit.MINUTES);
      ConsoleRepository.Minute m = byMinute.get(at);
      long c = m == null ? 0 : m.completed();
      long f = m == null ? 0 : m.failed();
      int ch = (int) Math.round((double) c * HEIGHT / max);
      int fh = (int) Math.round((double) f * HEIGHT / max);
      if (c > 0 && ch == 0) {
        ch = 1;
      }
      if (f > 0 && fh == 0) {
        fh = 1;
      }
      bars.add(
          new Bar(
              at.toString().substring(11, 16) + " UTC",
              c,
              f,
              i * BAR,
              BAR - 1,
              HEIGHT - ch,
              ch,
              HEIGHT - ch - fh,
              fh));
    }
    return new ThroughputChart(bars, max, completed, failed);
  }
}
