package dev.postcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SafeTextTest {
  @Test
  void clean_replaces_every_control_character_and_keeps_clean_values_as_they_are() {
    String ok = "Jürgen <0301> 😀";
    assertSame(ok, SafeText.clean(ok));
    assertNull(SafeText.clean(null));
    assertEquals("\uFFFD[2J\uFFFD]0;x\uFFFD\uFFFD31m\uFFFD", SafeText.clean("\u001b[2J\u001b]0;x\u0007\u009b31m\u007f"));
    assertEquals("a\uFFFDb", SafeText.clean("a\tb"));
  }

  @Test
  void printable_is_one_short_line_without_escapes_or_direction_overrides() {
    assertEquals("-", SafeText.printable(null));
    assertEquals("?[31mred?next", SafeText.printable("\u001b[31mred\nnext"));
    assertEquals("evil?gpj.exe", SafeText.printable("evil\u202Egpj.exe"));
    String longer = "x".repeat(500);
    assertTrue(SafeText.printable(longer).endsWith("…(500 chars)"));
    assertFalse(SafeText.hasControl("plain"));
  }

  @Test
  void terminal_output_keeps_line_breaks_and_tabs_only() {
    assertEquals('\n', SafeText.forTerminal('\n'));
    assertEquals('\t', SafeText.forTerminal('\t'));
    assertEquals('?', SafeText.forTerminal('\u001b'));
    assertEquals('?', SafeText.forTerminal('\r'));
    assertEquals('?', SafeText.forTerminal('\u009b'));
    assertEquals('é', SafeText.forTerminal('é'));
  }
}
