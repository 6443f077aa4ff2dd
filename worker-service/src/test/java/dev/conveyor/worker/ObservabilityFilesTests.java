package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

/**
 * The Grafana dashboard and the Prometheus rules under {@code deploy/observability/} are valid for
 * the real tools: promtool checks the rules and runs their unit tests, and parses every dashboard
 * expression; every alert is tested firing and not firing, carries a severity, a {@code for} and a
 * runbook that docs/operations.md has. That the services export every series the files use is
 * {@link EndToEndTests#dashboardAndAlertRulesUseOnlySeriesTheServicesExport}.
 */
class ObservabilityFilesTests {

  static final Set<String> ALERTS =
      Set.of(
          "ConveyorBacklogGrowing",
          "ConveyorBacklogTooOld",
          "ConveyorDeadJobs",
          "ConveyorNoWorkers",
          "ConveyorQueueWithoutWorkers",
          "ConveyorCallbacksRejected",
          "ConveyorApi5xxRatio",
          "ConveyorDbPoolExhausted");

  @Test
  void promtoolChecksTheRules() {
    String out =
        ObservabilityFiles.promtool(
            ObservabilityFiles.RULES.getParent(),
            "check",
            "rules",
            ObservabilityFiles.RULES.getFileName().toString());

    assertThat(out).contains("SUCCESS");
  }

  @Test
  void promtoolUnitTestsOfTheRulesPass() {
    String out =
        ObservabilityFiles.promtool(
            ObservabilityFiles.RULES_TEST.getParent(),
            "test",
            "rules",
            ObservabilityFiles.RULES_TEST.getFileName().toString());

    assertThat(out).contains("SUCCESS");
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyAlertIsUnitTestedFiringAndNotFiring() {
    Map<String, Object> file =
        new Yaml().load(ObservabilityFiles.read(ObservabilityFiles.RULES_TEST));
    Set<String> firing = new TreeSet<>();
    Set<String> silent = new TreeSet<>();
    for (Map<String, Object> test : (List<Map<String, Object>>) file.get("tests")) {
      for (Map<String, Object> check :
          (List<Map<String, Object>>) test.getOrDefault("alert_rule_test", List.of())) {
        List<?> expected = (List<?>) check.get("exp_alerts");
        (expected == null || expected.isEmpty() ? silent : firing)
            .add(check.get("alertname").toString());
      }
    }

    assertThat(alertNames()).containsExactlyInAnyOrderElementsOf(ALERTS);
    assertThat(firing).as("alerts tested firing").containsExactlyInAnyOrderElementsOf(ALERTS);
    assertThat(silent).as("alerts tested not firing").containsExactlyInAnyOrderElementsOf(ALERTS);
  }

  @Test
  void everyAlertHasASeverityAForAndARunbookInOperationsMd() throws IOException {
    Set<String> anchors =
        Files.readAllLines(Path.of("..", "docs", "operations.md")).stream()
            .filter(line -> line.startsWith("#"))
            .map(ObservabilityFilesTests::githubAnchor)
            .collect(Collectors.toSet());

    for (Map<String, Object> rule : ObservabilityFiles.rules()) {
      if (!rule.containsKey("alert")) {
        continue;
      }
      String alert = rule.get("alert").toString();
      @SuppressWarnings("unchecked")
      Map<String, Object> labels = (Map<String, Object>) rule.get("labels");
      @SuppressWarnings("unchecked")
      Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
      assertThat(rule).as(alert).containsKey("for");
      assertThat(labels.get("severity")).as(alert).isIn("critical", "warning");
      assertThat(annotations).as(alert).containsKeys("summary", "description");
      String runbook = annotations.get("runbook_url").toString();
      assertThat(runbook)
          .as(alert)
          .startsWith("https://github.com/conveyor-dev/conveyor/blob/main/docs/operations.md#");
      assertThat(anchors)
          .as("docs/operations.md has a heading for %s", runbook)
          .contains(runbook.substring(runbook.indexOf('#') + 1));
    }
  }

  /** Recorded series are defined before use, and nothing else in the rules has a colon. */
  @Test
  void theRulesUseOnlyRecordedSeriesTheyDefine() {
    Set<String> used = new TreeSet<>();
    ObservabilityFiles.ruleExpressions()
        .forEach(e -> used.addAll(ObservabilityFiles.metricNames(e)));

    assertThat(used.stream().filter(n -> n.contains(":")))
        .isSubsetOf(ObservabilityFiles.recordedNames());
  }

  @Test
  void theDashboardHasItsVariablesAndEveryPanelReadsTheChosenDatasource() {
    JsonNode dashboard = ObservabilityFiles.dashboard();

    assertThat(dashboard.get("schemaVersion").asInt()).isGreaterThanOrEqualTo(39);
    Map<String, JsonNode> variables = new java.util.HashMap<>();
    dashboard
        .get("templating")
        .get("list")
        .forEach(v -> variables.put(v.get("name").asString(), v));
    assertThat(variables).containsKeys("datasource", "job", "queue");
    assertThat(variables.get("datasource").get("type").asString()).isEqualTo("datasource");
    assertThat(variables.get("datasource").get("query").asString()).isEqualTo("prometheus");
    List<String> titles = new ArrayList<>();
    for (JsonNode panel : dashboard.get("panels")) {
      if (panel.get("type").asString().equals("row")) {
        continue;
      }
      titles.add(panel.get("title").asString());
      assertThat(panel.get("datasource").get("uid").asString())
          .as(panel.get("title").asString())
          .isEqualTo("${datasource}");
      assertThat(panel.get("targets")).as(panel.get("title").asString()).isNotEmpty();
    }
    assertThat(String.join("\n", titles).toLowerCase(Locale.ROOT))
        .contains(
            "queue depth",
            "oldest job age",
            "throughput",
            "pickup latency",
            "dead jobs",
            "worker slots",
            "api request rate",
            "api 5xx",
            "api latency",
            "report duration per type",
            "callbacks rejected",
            "connection pool");
  }

  /**
   * promtool parses every dashboard expression (as a recording rule, Grafana's variables replaced
   * by values), so a typo fails here rather than as an empty panel.
   */
  @Test
  void promtoolParsesEveryDashboardExpression(@TempDir Path dir) throws IOException {
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    int i = 0;
    for (String expr : ObservabilityFiles.dashboardExpressions()) {
      String concrete =
          expr.replace("$__rate_interval", "1m")
              .replace("$__range", "1h")
              .replace("$job", ".*")
              .replace("$queue", ".*");
      rules
          .append("      - record: dashboard:expr_")
          .append(i++)
          .append("\n        expr: '")
          .append(concrete.replace("'", "''"))
          .append("'\n");
    }
    Files.writeString(dir.resolve("dashboard.yml"), rules);

    assertThat(i).isGreaterThan(20);
    assertThat(ObservabilityFiles.promtool(dir, "check", "rules", "dashboard.yml"))
        .contains("SUCCESS: " + i + " rules found");
  }

  @Test
  void metricNamesAreReadFromPromqlWithoutFunctionsLabelsOrKeywords() {
    assertThat(
            ObservabilityFiles.metricNames(
                "histogram_quantile(0.95, sum by (le, type) (rate(conveyor_report_duration_seconds_"
                    + "bucket{job=~\"$job\", outcome=\"completed\"}[$__rate_interval])))"
                    + " / on (job) group_left() up offset 5m > bool 0.5"
                    + " and absent(conveyor:queue_depth:max) unless x_total"))
        .containsExactlyInAnyOrder(
            "conveyor_report_duration_seconds_bucket", "up", "conveyor:queue_depth:max", "x_total");
    assertThat(
            ObservabilityFiles.exposedNames(
                "# TYPE a_total counter\na_total{queue=\"q\"} 1.0\nb_seconds_bucket{le=\"1\"} 2\nc 3\n"))
        .containsExactly("a_total", "b_seconds_bucket", "c");
  }

  private static Set<String> alertNames() {
    return ObservabilityFiles.rules().stream()
        .filter(r -> r.containsKey("alert"))
        .map(r -> r.get("alert").toString())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to dashes. */
  static String githubAnchor(String heading) {
    return heading
        .replaceFirst("^#+\\s*", "")
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{N} _-]", "")
        .replace(' ', '-');
  }
}
