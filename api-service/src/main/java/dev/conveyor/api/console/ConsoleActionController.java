package dev.conveyor.api.console;

import dev.conveyor.api.auth.Caller;
import dev.conveyor.queue.QueueControl.QueueLimits;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriUtils;

/**
 * The console's actions. Every action is a form POST (CSRF-protected by the console's security)
 * that first answers with a confirmation page naming what will happen; only the confirmation's own
 * POST (with {@code confirmed=yes}) acts, records it in {@code console_audit}, and redirects to the
 * page it acted on with the result (post/redirect/get, so a reload repeats nothing).
 */
@Controller
@RequestMapping("/console")
class ConsoleActionController {

  private static final int MAX_QUEUE_NAME = 128;
  private static final BigDecimal MAX_RATE_PERIOD_SECONDS = BigDecimal.valueOf(366L * 86_400);

  private final ConsoleActions actions;
  private final ConsoleController pages;

  ConsoleActionController(ConsoleActions actions, ConsoleController pages) {
    this.actions = actions;
    this.pages = pages;
  }

  @PostMapping("/jobs/{id}/{action:retry|cancel|delete}")
  String jobAction(
      Caller caller,
      @PathVariable long id,
      @PathVariable String action,
      @RequestParam(required = false) @Nullable String confirmed,
      Model model,
      RedirectAttributes redirect) {
    if (!"yes".equals(confirmed)) {
      return confirm(
          model,
          caller,
          switch (action) {
            case "retry" -> "Retry job " + id + "? It runs again now, its errors are kept.";
            case "cancel" ->
                "Cancel job " + id + "? A waiting job never runs; a running one is asked to stop.";
            default -> "Delete job " + id + "? The row and its errors are removed for good.";
          },
          "/console/jobs/" + id + "/" + action,
          verb(action) + " job " + id,
          "/console/jobs/" + id,
          Map.of());
    }
    ConsoleActions.Result result =
        switch (action) {
          case "retry" -> actions.retryJob(caller, id);
          case "cancel" -> actions.cancelJob(caller, id);
          default -> actions.deleteJob(caller, id);
        };
    redirect.addFlashAttribute("result", result);
    return "delete".equals(action) && result.done()
        ? "redirect:/console/jobs"
        : "redirect:/console/jobs/" + id;
  }

  @PostMapping("/queues/{name}/{action:pause|resume|retry-dead}")
  String queueAction(
      Caller caller,
      @PathVariable String name,
      @PathVariable String action,
      @RequestParam(required = false) @Nullable String confirmed,
      Model model,
      RedirectAttributes redirect) {
    String queueName = queueName(name);
    String page = "/console/queues/" + UriUtils.encodePathSegment(queueName, "UTF-8");
    if (!"yes".equals(confirmed)) {
      return confirm(
          model,
          caller,
          switch (action) {
            case "pause" ->
                "Pause queue "
                    + queueName
                    + "? No job of it starts until it is resumed;"
                    + " running jobs finish.";
            case "resume" -> "Resume queue " + queueName + "? Its workers start claiming at once.";
            default ->
                "Retry every dead job of queue "
                    + queueName
                    + "? They run again now, in batches of "
                    + ConsoleActions.RETRY_BATCH
                    + ".";
          },
          page + "/" + action,
          switch (action) {
            case "pause" -> "Pause queue " + queueName;
            case "resume" -> "Resume queue " + queueName;
            default -> "Retry all dead jobs of " + queueName;
          },
          page,
          Map.of());
    }
    ConsoleActions.Result result =
        switch (action) {
          case "pause" -> actions.pauseQueue(caller, queueName);
          case "resume" -> actions.resumeQueue(caller, queueName);
          default -> actions.retryDead(caller, queueName);
        };
    redirect.addFlashAttribute("result", result);
    return "redirect:" + page;
  }

  /**
   * Sets (or, all fields empty, clears) a queue's limits. A value that is not a positive whole
   * number (or, for the period, a positive number of seconds) is named on the queue page, with a
   * 400, before anything is asked or changed.
   */
  @PostMapping("/queues/{name}/limits")
  String limits(
      Caller caller,
      @PathVariable String name,
      @RequestParam(required = false) @Nullable String maxRunning,
      @RequestParam(required = false) @Nullable String maxRunningPerKey,
      @RequestParam(required = false) @Nullable String rateLimit,
      @RequestParam(required = false) @Nullable String ratePeriodSeconds,
      @RequestParam(required = false) @Nullable String confirmed,
      Model model,
      RedirectAttributes redirect,
      jakarta.servlet.http.HttpServletResponse response) {
    String queueName = queueName(name);
    String page = "/console/queues/" + UriUtils.encodePathSegment(queueName, "UTF-8");
    Map<String, String> form = new LinkedHashMap<>();
    form.put("maxRunning", trim(maxRunning));
    form.put("maxRunningPerKey", trim(maxRunningPerKey));
    form.put("rateLimit", trim(rateLimit));
    form.put("ratePeriodSeconds", trim(ratePeriodSeconds));
    Map<String, String> errors = new LinkedHashMap<>();
    Integer max = positive("maxRunning", "Max running", form, errors);
    Integer perKey = positive("maxRunningPerKey", "Max running per key", form, errors);
    Integer rate = positive("rateLimit", "Rate limit", form, errors);
    Duration period = null;
    if (!form.get("ratePeriodSeconds").isEmpty()) {
      try {
        BigDecimal seconds = new BigDecimal(form.get("ratePeriodSeconds"));
        if (seconds.compareTo(new BigDecimal("0.001")) < 0
            || seconds.compareTo(MAX_RATE_PERIOD_SECONDS) > 0) {
          errors.put("ratePeriodSeconds", "Rate period must be between 0.001 and 31622400 seconds");
        } else {
          period = Duration.ofMillis(seconds.movePointRight(3).longValue());
        }
      } catch (NumberFormatException e) {
        errors.put("ratePeriodSeconds", "Rate period must be a number of seconds, e.g. 1 or 0.5");
      }
    }
    if (!errors.containsKey("rateLimit")
        && !errors.containsKey("ratePeriodSeconds")
        && (rate == null) != (period == null)) {
      errors.put(
          rate == null ? "rateLimit" : "ratePeriodSeconds",
          "Rate limit and rate period are set together");
    }
    if (!errors.isEmpty()) {
      response.setStatus(HttpStatus.BAD_REQUEST.value());
      model.addAttribute("form", form);
      model.addAttribute("errors", errors);
      model.addAttribute("caller", caller);
      pages.queueModel(queueName, model);
      return "console/queue";
    }
    QueueLimits limits = new QueueLimits(max, perKey, rate, period);
    if (!"yes".equals(confirmed)) {
      return confirm(
          model,
          caller,
          limits.any()
              ? "Set the limits of queue "
                  + queueName
                  + " to: "
                  + ConsoleFormat.limits(limits)
                  + "? Every worker applies them at its next claim."
              : "Clear every limit of queue " + queueName + "?",
          page + "/limits",
          limits.any() ? "Set limits" : "Clear limits",
          page,
          form);
    }
    redirect.addFlashAttribute("result", actions.setLimits(caller, queueName, limits));
    return "redirect:" + page;
  }

  @PostMapping("/schedules/{name}/{action:run-now|pause|resume}")
  String scheduleAction(
      Caller caller,
      @PathVariable String name,
      @PathVariable String action,
      @RequestParam(required = false) @Nullable String confirmed,
      Model model,
      RedirectAttributes redirect) {
    if (name.isBlank() || name.length() > 128) {
      throw new ResponseStatusException(
          HttpStatus.BAD_REQUEST, "a schedule name is 1 to 128 characters");
    }
    if (!"yes".equals(confirmed)) {
      return confirm(
          model,
          caller,
          switch (action) {
            case "run-now" ->
                "Run schedule "
                    + name
                    + " now? Its job is enqueued at once; its next"
                    + " run stays as planned.";
            case "pause" -> "Pause schedule " + name + "? It enqueues nothing until resumed.";
            default -> "Resume schedule " + name + "? A missed run follows its missed policy.";
          },
          "/console/schedules/" + UriUtils.encodePathSegment(name, "UTF-8") + "/" + action,
          switch (action) {
            case "run-now" -> "Run " + name + " now";
            case "pause" -> "Pause " + name;
            default -> "Resume " + name;
          },
          "/console/schedules",
          Map.of());
    }
    ConsoleActions.Result result =
        switch (action) {
          case "run-now" -> actions.runScheduleNow(caller, name);
          case "pause" -> actions.pauseSchedule(caller, name, true);
          default -> actions.pauseSchedule(caller, name, false);
        };
    redirect.addFlashAttribute("result", result);
    return "redirect:/console/schedules";
  }

  private static String confirm(
      Model model,
      Caller caller,
      String question,
      String action,
      String button,
      String back,
      Map<String, String> fields) {
    model.addAttribute("question", question);
    model.addAttribute("action", action);
    model.addAttribute("button", button);
    model.addAttribute("back", back);
    model.addAttribute("fields", fields);
    model.addAttribute("caller", caller);
    return "console/confirm";
  }

  private static String verb(String action) {
    return switch (action) {
      case "retry" -> "Retry";
      case "cancel" -> "Cancel";
      default -> "Delete";
    };
  }

  private static @Nullable Integer positive(
      String field, String label, Map<String, String> form, Map<String, String> errors) {
    String value = form.get(field);
    if (value.isEmpty()) {
      return null;
    }
    try {
      int n = Integer.parseInt(value);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // named below
    }
    errors.put(field, label + " must be a whole number of at least 1 (or empty for no limit)");
    return null;
  }

  private static String trim(@Nullable String s) {
    return s == null ? "" : s.strip();
  }

  static String queueName(String name) {
    if (name.isBlank() || name.length() > MAX_QUEUE_NAME) {
      throw new ResponseStatusException(
          HttpStatus.BAD_REQUEST, "a queue name is 1 to " + MAX_QUEUE_NAME + " characters");
    }
    return name;
  }
}
