package dev.postcall.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** {@code /health} (the process answers) and {@code /ready} (every readiness check passes) as JSON. */
final class Health {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<ReadinessCheck> checks;

  Health(List<ReadinessCheck> checks) {
    this.checks = List.copyOf(checks);
  }

  record Result(int status, String json) {}

  Result live() {
    return new Result(200, "{\"status\":\"UP\"}");
  }

  Result ready() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode each = JSON.createObjectNode();
    boolean up = true;
    for (ReadinessCheck c : checks) {
      ObjectNode n = each.putObject(c.name());
      try {
        n.put("status", "UP").put("detail", c.check());
      } catch (Exception e) {
        up = false;
        n.put("status", "DOWN").put("detail", e.getClass().getSimpleName() + ": " + e.getMessage());
      }
    }
    root.put("status", up ? "UP" : "DOWN");
    root.set("checks", each);
    return new Result(up ? 200 : 503, root.toString());
  }
}
