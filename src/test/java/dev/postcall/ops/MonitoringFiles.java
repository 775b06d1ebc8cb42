package dev.postcall.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shipped Grafana dashboard and Prometheus rules as data: their PromQL expressions, and the
 * postcall series they select, to compare with what a running service's /metrics exposes.
 */
public final class MonitoringFiles {
  public static final Path DASHBOARD = Path.of("conf/grafana/postcall.json");
  public static final Path RULES = Path.of("conf/prometheus/postcall-rules.yml");

  private static final Pattern SELECTOR = Pattern.compile("\\b(postcall_[a-z0-9_]+)(?:\\{([^}]*)})?");
  private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_]+)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");
  private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? \\S+");

  private MonitoringFiles() {}

  /** A series a file selects: a metric name and the labels it requires to equal a value. */
  public record Selector(String name, Map<String, String> equals, String file) {
    @Override
    public String toString() {
      return name + equals + " (" + file + ")";
    }
  }

  /** Every alert rule: name → expression. */
  public static Map<String, String> ruleExpressions() {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode group : read(RULES, new YAMLMapper()).get("groups")) {
      for (JsonNode rule : group.get("rules")) out.put(rule.get("alert").asText(), rule.get("expr").asText());
    }
    return out;
  }

  /** Every alert rule: name → its description annotation. */
  public static Map<String, String> ruleDescriptions() {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode group : read(RULES, new YAMLMapper()).get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        out.put(rule.get("alert").asText(), rule.at("/annotations/description").asText());
      }
    }
    return out;
  }

  public static JsonNode dashboard() {
    return read(DASHBOARD, new ObjectMapper());
  }

  /** Every query of the dashboard (panel targets and template variables), as written. */
  public static List<String> dashboardExpressions() {
    List<String> out = new ArrayList<>();
    JsonNode d = dashboard();
    for (JsonNode panel : d.get("panels")) {
      for (JsonNode t : panel.path("targets")) out.add(t.get("expr").asText());
    }
    for (JsonNode v : d.at("/templating/list")) {
      if (v.path("type").asText().equals("query")) out.add(v.at("/query/query").asText());
    }
    return out;
  }

  /** The postcall series both files select. */
  public static List<Selector> selectors() {
    List<Selector> out = new ArrayList<>();
    for (String expr : ruleExpressions().values()) out.addAll(selectors(expr, RULES.toString()));
    for (String expr : dashboardExpressions()) out.addAll(selectors(expr, DASHBOARD.toString()));
    return out;
  }

  static List<Selector> selectors(String expr, String file) {
    List<Selector> out = new ArrayList<>();
    Matcher m = SELECTOR.matcher(expr);
    while (m.find()) {
      Map<String, String> equals = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher lm = MATCHER.matcher(m.group(2));
        while (lm.find()) {
          if (lm.group(2).equals("=")) equals.put(lm.group(1), lm.group(3));
        }
      }
      out.add(new Selector(m.group(1), equals, file));
    }
    return out;
  }

  /**
   * The selectors no series of a Prometheus text exposition matches (by name, and by every
   * label the selector requires to equal a value).
   */
  public static Set<Selector> unmatched(List<Selector> selectors, String exposition) {
    List<Map.Entry<String, Map<String, String>>> series = new ArrayList<>();
    for (String line : exposition.lines().toList()) {
      if (line.isBlank() || line.startsWith("#")) continue;
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) throw new IllegalArgumentException("not Prometheus text: " + line);
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher lm = MATCHER.matcher(m.group(2));
        while (lm.find()) labels.put(lm.group(1), lm.group(3));
      }
      series.add(Map.entry(m.group(1), labels));
    }
    Set<Selector> out = new LinkedHashSet<>();
    for (Selector s : selectors) {
      boolean found = series.stream().anyMatch(e -> e.getKey().equals(s.name())
          && s.equals().entrySet().stream().allMatch(l -> l.getValue().equals(e.getValue().get(l.getKey()))));
      if (!found) out.add(s);
    }
    return out;
  }

  private static JsonNode read(Path file, ObjectMapper mapper) {
    try {
      return mapper.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(file + " does not parse", e);
    }
  }
}
