package dev.postcall.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * {@code /health} (the process answers) and {@code /ready} (every readiness check passed its last
 * background run, see {@link ReadinessMonitor}) as JSON. Anonymous callers see each check's status
 * only; a logged-in admin also sees the details, which may name hosts and errors.
 */
final class Health {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ReadinessMonitor monitor;

  Health(ReadinessMonitor monitor) {
    this.monitor = monitor;
  }

  record Result(int status, String json) {}

  Result live() {
    return new Result(200, "{\"status\":\"UP\"}");
  }

  Result ready(boolean withDetails) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode each = JSON.createObjectNode();
    boolean up = true;
    for (Map.Entry<String, ReadinessMonitor.Result> e : monitor.results().entrySet()) {
      ReadinessMonitor.Result r = e.getValue();
      up &= r.status() == ReadinessMonitor.Status.UP;
      ObjectNode n = each.putObject(e.getKey()).put("status", r.status().name());
      if (withDetails) n.put("detail", r.detail()).put("checkedAt", r.at().toString());
    }
    root.put("status", up ? "UP" : "DOWN");
    root.set("checks", each);
    return new Result(up ? 200 : 503, root.toString());
  }
}
