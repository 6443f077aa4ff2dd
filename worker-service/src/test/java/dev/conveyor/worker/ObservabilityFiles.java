package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The files under {@code deploy/observability/} (Grafana dashboard, Prometheus rules) as the tests
 * read them: their PromQL expressions, the metric names those use, and promtool runs.
 */
final class ObservabilityFiles {

  static final Path DIR = Path.of("..", "deploy", "observability");
  static final Path DASHBOARD = DIR.resolve("grafana/conveyor.json");
  static final Path RULES = DIR.resolve("prometheus/conveyor-rules.yml");
  static final Path RULES_TEST = DIR.resolve("prometheus/conveyor-rules.test.yml");
  static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "inf",
          "nan");
  private static final Pattern NAME =
      Pattern.compile("(?<![\\w:.$])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([^,)]+)\\s*,");

  private ObservabilityFiles() {}

  static JsonNode dashboard() {
    return JSON.readTree(read(DASHBOARD));
  }

  /** Every PromQL expression of the dashboard: the panels' targets and the variables' queries. */
  static List<String> dashboardExpressions() {
    List<String> expressions = new ArrayList<>();
    collectTargets(dashboard().get("panels"), expressions);
    for (JsonNode variable : dashboard().get("templating").get("list")) {
      JsonNode query = variable.get("query");
      if (query != null && query.isObject()) {
        Matcher m = LABEL_VALUES.matcher(query.get("query").asString());
        if (m.find()) {
          expressions.add(m.group(1));
        }
      }
    }
    return expressions;
  }

  private static void collectTargets(JsonNode panels, List<String> into) {
    for (JsonNode panel : panels) {
      if (panel.has("targets")) {
        for (JsonNode target : panel.get("targets")) {
          into.add(target.get("expr").asString());
        }
      }
      if (panel.has("panels")) {
        collectTargets(panel.get("panels"), into);
      }
    }
  }

  /** The rules of conveyor-rules.yml, each a map as in the file (record or alert, expr, …). */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> rules() {
    Map<String, Object> file = new Yaml().load(read(RULES));
    List<Map<String, Object>> rules = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
      rules.addAll((List<Map<String, Object>>) group.get("rules"));
    }
    return rules;
  }

  static List<String> ruleExpressions() {
    return rules().stream().map(r -> r.get("expr").toString()).toList();
  }

  /** The names the recording rules define (they contain a colon; no service exports them). */
  static Set<String> recordedNames() {
    Set<String> names = new TreeSet<>();
    rules().stream()
        .filter(r -> r.containsKey("record"))
        .forEach(r -> names.add(r.get("record").toString()));
    return names;
  }

  /**
   * The metric names an expression selects, read loosely: what remains once strings, label
   * matchers, ranges, grouping clauses and Grafana variables are cut out, minus functions and
   * keywords. Recorded names (with a colon) are included; callers tell them apart.
   */
  static Set<String> metricNames(String promql) {
    String s = promql.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
    s = s.replaceAll("\\{[^}]*}", " ");
    s = s.replaceAll("\\[[^]]*]", " ");
    s = s.replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    s = s.replaceAll("\\$\\w+", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = NAME.matcher(s);
    while (m.find()) {
      String token = m.group(1);
      if (!KEYWORDS.contains(token.toLowerCase(java.util.Locale.ROOT))) {
        names.add(token);
      }
    }
    return names;
  }

  /** The metric names in a Prometheus text exposition (each sample line's name). */
  static Set<String> exposedNames(String exposition) {
    Set<String> names = new LinkedHashSet<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int end = 0;
      while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
        end++;
      }
      names.add(line.substring(0, end));
    }
    return names;
  }

  /** Runs promtool with {@code args} in {@code dir}; fails with its output unless it exits 0. */
  static String promtool(Path dir, String... args) {
    assertThat(Files.isExecutable(PROMTOOL))
        .as(
            "%s is missing: install the Debian package prometheus (it ships promtool; .ci/run"
                + " installs it when missing)",
            PROMTOOL)
        .isTrue();
    List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
    command.addAll(List.of(args));
    try {
      Process process =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      byte[] out = process.getInputStream().readAllBytes();
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finishes").isTrue();
      String output = new String(out, StandardCharsets.UTF_8);
      assertThat(process.exitValue()).as("promtool %s:%n%s", args, output).isZero();
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
