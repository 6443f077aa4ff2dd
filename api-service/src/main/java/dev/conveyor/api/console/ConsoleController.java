package dev.conveyor.api.console;

import dev.conveyor.api.auth.Caller;
import dev.conveyor.queue.Job;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobState;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;

/**
 * The console's pages (read only; actions are in {@link ConsoleActionController}). Each renders a
 * Thymeleaf template under {@code templates/console/}; the overview's live part is also served
 * alone ({@code /console/live}) for the page's polling script. Only signed-in admins get here.
 */
@Controller
@RequestMapping("/console")
class ConsoleController {

  static final int PAGE = 50;
  private static final Pattern REPORT_ID =
      Pattern.compile("\"reportId\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"");

  private final ConsoleRepository repository;
  private final JobQueue queue;

  ConsoleController(ConsoleRepository repository, JobQueue queue) {
    this.repository = repository;
    this.queue = queue;
  }

  @GetMapping
  String overview(Caller caller, Model model) {
    live(model);
    model.addAttribute("caller", caller);
    return "console/overview";
  }

  /** The overview's numbers alone, which the page polls (a fragment, not a whole page). */
  @GetMapping("/live")
  String overviewLive(Caller caller, Model model) {
    live(model);
    return "console/overview :: live";
  }

  private void live(Model model) {
    model.addAttribute("queues", repository.overviewQueues());
    model.addAttribute("runtimes", repository.runtimes());
    model.addAttribute("chart", ThroughputChart.of(repository.throughput(null), Instant.now()));
    model.addAttribute("now", Instant.now());
  }

  @GetMapping("/queues/{name}")
  String queuePage(Caller caller, @PathVariable String name, Model model) {
    String queueName = ConsoleActionController.queueName(name);
    queueModel(queueName, model);
    model.addAttribute("caller", caller);
    return "console/queue";
  }

  /** The queue page's model; also used to show a rejected limits form again. */
  void queueModel(String queueName, Model model) {
    model.addAttribute("name", queueName);
    model.addAttribute(
        "queue",
        repository.overviewQueues().stream()
            .filter(q -> q.queue().equals(queueName))
            .findFirst()
            .orElse(null));
    model.addAttribute(
        "chart", ThroughputChart.of(repository.throughput(queueName), Instant.now()));
    if (!model.containsAttribute("form")) {
      model.addAttribute("form", Map.of());
    }
    if (!model.containsAttribute("errors")) {
      model.addAttribute("errors", Map.of());
    }
  }

  @GetMapping("/jobs")
  String jobs(
      Caller caller,
      @RequestParam(required = false) @Nullable String queue,
      @RequestParam(required = false) @Nullable String state,
      @RequestParam(required = false) @Nullable String kind,
      @RequestParam(name = "key", required = false) @Nullable String uniqueKey,
      @RequestParam(required = false) @Nullable String from,
      @RequestParam(required = false) @Nullable String to,
      @RequestParam(required = false) @Nullable String before,
      Model model) {
    Map<String, String> errors = new LinkedHashMap<>();
    JobState jobState = null;
    if (blankToNull(state) != null) {
      try {
        jobState = JobState.valueOf(state.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        errors.put(
            "state", "state must be one of available, running, completed, discarded, cancelled");
      }
    }
    Instant createdFrom = time("from", from, errors);
    Instant createdTo = time("to", to, errors);
    long beforeId = Long.MAX_VALUE;
    if (blankToNull(before) != null) {
      try {
        beforeId = Long.parseLong(before.strip());
      } catch (NumberFormatException e) {
        errors.put("before", "before must be a job id");
      }
    }
    Map<String, String> form = new LinkedHashMap<>();
    form.put("queue", nullToEmpty(queue));
    form.put("state", nullToEmpty(state));
    form.put("kind", nullToEmpty(kind));
    form.put("key", nullToEmpty(uniqueKey));
    form.put("from", nullToEmpty(from));
    form.put("to", nullToEmpty(to));
    model.addAttribute("form", form);
    model.addAttribute("errors", errors);
    model.addAttribute("caller", caller);
    model.addAttribute("states", JobState.values());
    if (!errors.isEmpty()) {
      model.addAttribute("jobs", List.of());
      model.addAttribute("next", null);
      return "console/jobs";
    }
    ConsoleRepository.JobFilter filter =
        new ConsoleRepository.JobFilter(
            blankToNull(queue),
            jobState,
            blankToNull(kind),
            blankToNull(uniqueKey),
            createdFrom,
            createdTo);
    List<ConsoleRepository.JobRow> rows = repository.listJobs(filter, beforeId, PAGE + 1);
    Long next = null;
    if (rows.size() > PAGE) {
      rows = rows.subList(0, PAGE);
      next = rows.get(PAGE - 1).id();
    }
    model.addAttribute("jobs", rows);
    model.addAttribute("next", next);
    return "console/jobs";
  }

  @GetMapping("/jobs/{id}")
  String job(Caller caller, @PathVariable long id, Model model) {
    Job job =
        queue
            .find(id)
            .orElseThrow(
                () ->
                    new ResponseStatusException(HttpStatus.NOT_FOUND, "Job " + id + " not found"));
    model.addAttribute("job", job);
    model.addAttribute("errors", queue.errors(id));
    model.addAttribute("report", report(job).orElse(null));
    model.addAttribute("caller", caller);
    return "console/job";
  }

  private Optional<ConsoleRepository.JobReport> report(Job job) {
    Matcher m = REPORT_ID.matcher(job.payload());
    if (!m.find()) {
      return Optional.empty();
    }
    try {
      return repository.findJobReport(UUID.fromString(m.group(1)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @GetMapping("/schedules")
  String schedules(Caller caller, Model model) {
    model.addAttribute("schedules", repository.schedules());
    model.addAttribute("caller", caller);
    return "console/schedules";
  }

  @GetMapping("/reports")
  String reports(
      Caller caller,
      @RequestParam(required = false) @Nullable String status,
      @RequestParam(required = false) @Nullable String before,
      Model model) {
    Map<String, String> errors = new LinkedHashMap<>();
    String wanted = blankToNull(status);
    if (wanted != null) {
      wanted = wanted.toUpperCase(Locale.ROOT);
      if (!List.of("PENDING", "PROCESSING", "COMPLETED", "FAILED", "CANCELLED").contains(wanted)) {
        errors.put(
            "status", "status must be one of PENDING, PROCESSING, COMPLETED, FAILED, CANCELLED");
      }
    }
    Instant beforeCreated = null;
    UUID beforeId = null;
    if (blankToNull(before) != null) {
      // The cursor is "<created_at ISO instant>_<report id>", as the previous page wrote it.
      String[] parts = before.split("_", 2);
      try {
        beforeCreated = Instant.parse(parts[0]);
        beforeId = UUID.fromString(parts[1]);
      } catch (DateTimeParseException
          | ArrayIndexOutOfBoundsException
          | IllegalArgumentException e) {
        errors.put("before", "before must be a cursor from the previous page");
      }
    }
    model.addAttribute("status", wanted == null ? "" : wanted);
    model.addAttribute("errors", errors);
    model.addAttribute("caller", caller);
    if (!errors.isEmpty()) {
      model.addAttribute("reports", List.of());
      model.addAttribute("next", null);
      return "console/reports";
    }
    List<ConsoleRepository.ReportRow> rows = repository.listReports(wanted, beforeId, PAGE + 1);
    String next = null;
    if (rows.size() > PAGE) {
      rows = new ArrayList<>(rows.subList(0, PAGE));
      ConsoleRepository.ReportRow last = rows.get(PAGE - 1);
      next = last.id().toString();
    }
    model.addAttribute("reports", rows);
    model.addAttribute("next", next);
    return "console/reports";
  }

  @GetMapping("/audit")
  String audit(Caller caller, Model model) {
    model.addAttribute("entries", repository.audit(100));
    model.addAttribute("caller", caller);
    return "console/audit";
  }

  /** A time filter: an ISO instant, or a date-time as a datetime-local field sends it (UTC). */
  private static @Nullable Instant time(
      String field, @Nullable String value, Map<String, String> errors) {
    if (blankToNull(value) == null) {
      return null;
    }
    String v = value.strip();
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      try {
        return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e2) {
        errors.put(field, field + " must be a date and time, e.g. 2026-12-07T09:30 (UTC)");
        return null;
      }
    }
  }

  static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private static String nullToEmpty(@Nullable String s) {
    return s == null ? "" : s;
  }
}
