package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class TextTest {
  @Test
  void control_characters_cannot_forge_a_log_line() {
    assertEquals("a?b?c?d?e", Text.printable("a\nb\rc\u0000d\u007fe"));
    assertEquals("x?y", Text.printable("x\u0085y"), "C1 controls too (NEL ends a line in some viewers)");
  }

  @Test
  void any_other_text_is_kept_as_it_is() {
    String name = "Jürgen Ωmega 山田 \"Al\" <100>";
    assertSame(name, Text.printable(name), "nothing to replace: the same string, no copy");
    assertEquals("-", Text.printable(null));
  }

  @Test
  void long_values_are_cut() {
    String s = Text.printable("9".repeat(500));
    assertEquals("9".repeat(120) + "…(500 chars)", s);
  }
}
