package dev.postcall.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * conf/prometheus/postcall-rules.yml and conf/grafana/postcall.json checked with Prometheus's own
 * tool (promtool, Debian package prometheus — scripts/test installs it): the rules load, every
 * alert fires on the situation it names and not on a healthy service, and every dashboard query
 * is valid PromQL. That the series they use exist is checked against a running service (DemoIT).
 */
class PrometheusRulesTest {
  @TempDir Path tmp;

  @Test
  void promtool_accepts_the_rules() throws Exception {
    Run r = promtool("check", "rules", MonitoringFiles.RULES.toString());
    assertEquals(0, r.code, r.output);
    assertTrue(r.output.contains("SUCCESS: " + MonitoringFiles.ruleExpressions().size() + " rules found"), r.output);
  }

  @Test
  void every_alert_fires_when_it_should_and_only_then() throws Exception {
    String test = resource("prometheus/postcall-rules-test.yml")
        .replace("  - RULES", "  - " + MonitoringFiles.RULES.toAbsolutePath());
    for (Map.Entry<String, String> d : MonitoringFiles.ruleDescriptions().entrySet()) {
      test = test.replace("DESCRIPTION_" + d.getKey(), quoted(d.getValue()));
    }
    Set<String> tested = new HashSet<>();
    for (String alert : MonitoringFiles.ruleExpressions().keySet()) {
      if (test.contains("alertname: " + alert)) tested.add(alert);
    }
    assertEquals(MonitoringFiles.ruleExpressions().keySet(), tested, "every alert has a unit test");
    Path file = Files.writeString(tmp.resolve("rules-test.yml"), test);
    Run r = promtool("test", "rules", file.toString());
    assertEquals(0, r.code, r.output);
    assertTrue(r.output.contains("SUCCESS"), r.output);
  }

  @Test
  void every_dashboard_query_is_valid_promql() throws Exception {
    // promtool has no expression check of its own: each query becomes a recording rule, with
    // Grafana's variables replaced as Grafana does before sending it.
    List<String> exprs = MonitoringFiles.dashboardExpressions();
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    int i = 0;
    for (String e : exprs) {
      String promql = e.replace("$__rate_interval", "2m").replace("$instance", ".*");
      if (promql.startsWith("label_values(")) promql = promql.substring("label_values(".length(), promql.indexOf(','));
      rules.append("      - record: dashboard:query").append(i++).append("\n        expr: ").append(quoted(promql)).append('\n');
    }
    Path file = Files.writeString(tmp.resolve("dashboard-queries.yml"), rules);
    Run r = promtool("check", "rules", file.toString());
    assertEquals(0, r.code, r.output + "\n" + rules);
    assertTrue(r.output.contains("SUCCESS: " + exprs.size() + " rules found"), r.output);
  }

  @Test
  void dashboard_panels_are_well_formed() {
    JsonNode d = MonitoringFiles.dashboard();
    assertEquals("postcall", d.get("uid").asText());
    Set<Integer> ids = new HashSet<>();
    for (JsonNode p : d.get("panels")) {
      assertTrue(ids.add(p.get("id").asInt()), "panel ids unique: " + p.get("id"));
      assertTrue(p.has("gridPos") && p.has("title"), p.toString());
      if (p.get("type").asText().equals("row")) continue;
      assertEquals("${datasource}", p.at("/datasource/uid").asText(), p.get("title").asText());
      assertFalse(p.path("targets").isEmpty(), "a panel without a query: " + p.get("title"));
    }
  }

  private record Run(int code, String output) {}

  private static Run promtool(String... args) throws IOException, InterruptedException {
    Path tool = Path.of("/usr/bin/promtool");
    if (!Files.isExecutable(tool)) {
      throw new AssertionError("promtool is missing: scripts/test --setup installs it (Debian package prometheus)");
    }
    ProcessBuilder pb = new ProcessBuilder(tool.toString());
    pb.command().addAll(List.of(args));
    Process p = pb.redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(p.waitFor(), out);
  }

  private static String resource(String name) throws IOException {
    try (var in = PrometheusRulesTest.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A YAML double-quoted scalar. */
  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
