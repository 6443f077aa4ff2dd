package dev.conveyor.api.console;

import dev.conveyor.queue.QueueControl.QueueLimits;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/** How the console's templates write numbers, times and sizes ({@code ${@consoleFormat...}}). */
@Component("consoleFormat")
class ConsoleFormat {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  /** A capped count: "1,000+" at the cap. */
  public String count(long n) {
    return n >= ConsoleRepository.COUNT_CAP
        ? String.format(Locale.ROOT, "%,d+", ConsoleRepository.COUNT_CAP)
        : String.format(Locale.ROOT, "%,d", n);
  }

  /** Jobs available now: exact below the cap, else the depth sampler's number when larger. */
  public String available(ConsoleRepository.QueueRow q) {
    if (q.available() < ConsoleRepository.COUNT_CAP) {
      return count(q.available());
    }
    Long sampled = q.sampledAvailable();
    if (sampled != null && sampled > q.available()) {
      return String.format(Locale.ROOT, "≈ %,d", sampled);
    }
    return count(q.available());
  }

  public String number(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  public String time(@Nullable Instant t) {
    if (t == null) {
      return "—";
    }
    return t.equals(Instant.MAX) ? "until resumed" : TIME.format(t);
  }

  /** "3 s", "4 min", "2 h 5 min", "3 d". */
  public String age(@Nullable Double seconds) {
    if (seconds == null) {
      return "—";
    }
    return duration(Duration.ofMillis((long) (Math.max(0, seconds) * 1000)));
  }

  public String ago(@Nullable Instant t) {
    if (t == null) {
      return "—";
    }
    return duration(Duration.between(t, Instant.now())) + " ago";
  }

  public String duration(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 120) {
      return s + " s";
    }
    if (s < 7200) {
      return (s / 60) + " min";
    }
    if (s < 172_800) {
      return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }
    return (s / 86_400) + " d";
  }

  public String seconds(double s) {
    return s < 10
        ? String.format(Locale.ROOT, "%.1f s", s)
        : duration(Duration.ofSeconds((long) s));
  }

  public String bytes(@Nullable Long n) {
    if (n == null) {
      return "—";
    }
    if (n < 1024) {
      return n + " B";
    }
    if (n < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
  }

  static String limits(QueueLimits limits) {
    List<String> parts = new ArrayList<>();
    if (limits.maxRunning() != null) {
      parts.add("at most " + limits.maxRunning() + " running");
    }
    if (limits.maxRunningPerKey() != null) {
      parts.add("at most " + limits.maxRunningPerKey() + " running per key");
    }
    if (limits.rateLimit() != null && limits.ratePeriod() != null) {
      parts.add(
          limits.rateLimit() + " starts per " + limits.ratePeriod().toMillis() / 1000.0 + " s");
    }
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }
}
