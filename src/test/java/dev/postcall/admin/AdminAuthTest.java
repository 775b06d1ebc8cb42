package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AdminAuthTest {
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));

  @Test
  void right_token_opens_a_session_with_its_own_csrf_token() {
    AdminAuth auth = new AdminAuth("tok", clock);
    assertTrue(auth.login("wrong", "a").isEmpty());
    assertTrue(auth.login(null, "a").isEmpty());
    AdminAuth.Session s = auth.login("tok", "web:ann").orElseThrow();
    AdminAuth.Session t = auth.login("tok", "web:bob").orElseThrow();
    assertNotEquals(s.id(), t.id());
    assertNotEquals(s.csrf(), t.csrf());
    assertEquals("web:ann", auth.session(s.id()).orElseThrow().who());
  }

  @Test
  void empty_token_means_nobody_can_log_in() {
    AdminAuth auth = new AdminAuth("", clock);
    assertFalse(auth.enabled());
    assertTrue(auth.login("", "a").isEmpty());
  }

  @Test
  void idle_sessions_expire_and_activity_keeps_them() {
    AdminAuth auth = new AdminAuth("tok", clock);
    String id = auth.login("tok", "a").orElseThrow().id();
    clock.advance(AdminAuth.IDLE.minusMinutes(1));
    assertTrue(auth.session(id).isPresent());
    clock.advance(AdminAuth.IDLE.minusMinutes(1));
    assertTrue(auth.session(id).isPresent(), "activity renews the session");
    clock.advance(AdminAuth.IDLE.plus(Duration.ofSeconds(1)));
    assertTrue(auth.session(id).isEmpty());
  }

  @Test
  void logout_ends_the_session() {
    AdminAuth auth = new AdminAuth("tok", clock);
    String id = auth.login("tok", "a").orElseThrow().id();
    auth.logout(id);
    assertTrue(auth.session(id).isEmpty());
    assertTrue(auth.session(null).isEmpty());
  }

  @Test
  void csrf_comparison_needs_both_values_equal() {
    assertTrue(AdminAuth.sameToken("abc", "abc"));
    assertFalse(AdminAuth.sameToken("abc", "abd"));
    assertFalse(AdminAuth.sameToken("abc", null));
    assertFalse(AdminAuth.sameToken(null, null));
  }
}
