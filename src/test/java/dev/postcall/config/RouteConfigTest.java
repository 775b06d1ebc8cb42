package dev.postcall.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteConfigTest {
  @Test
  void defaults() {
    PostcallConfig.Route r = PostcallConfig.from(Settings.of(Map.of())).route();
    assertEquals(Duration.ofHours(24), r.stickyWindow());
    assertEquals(List.of(), r.stripPrefixes());
    assertEquals(0, r.keepDigits());
    assertEquals(10, r.vipPriority());
    assertEquals(0, r.priority());
    assertEquals(Duration.ofSeconds(30), r.refresh());
    assertFalse(r.acrossPbxs(), "a caller's last agent is one of this node's PBX");
  }

  @Test
  void set_values_are_read() {
    PostcallConfig.Route r = PostcallConfig.from(Settings.of(Map.of("route.sticky-window", "8h",
        "route.strip-prefixes", "+, 00, 0", "route.keep-digits", "9", "route.vip-priority", "20"))).route();
    assertEquals(Duration.ofHours(8), r.stickyWindow());
    assertEquals(List.of("+", "00", "0"), r.stripPrefixes());
    assertEquals(9, r.keepDigits());
    assertEquals(20, r.vipPriority());
    assertTrue(PostcallConfig.from(Settings.of(Map.of("route.sticky-across-pbxs", "true"))).route().acrossPbxs());
  }

  @Test
  void bad_values_name_their_key() {
    for (Map.Entry<String, String> bad : List.of(Map.entry("route.sticky-window", "0s"),
        Map.entry("route.strip-prefixes", "+,0x"), Map.entry("route.keep-digits", "-1"),
        Map.entry("route.refresh", "10ms"), Map.entry("route.vip-priority", "lots"),
        Map.entry("route.sticky-across-pbxs", "maybe"))) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> PostcallConfig.from(Settings.of(Map.of(bad.getKey(), bad.getValue()))), bad.toString());
      assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
    }
  }
}
