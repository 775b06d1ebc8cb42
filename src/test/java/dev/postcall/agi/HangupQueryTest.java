package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.agi.HangupQuery.Field;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HangupQueryTest {
  static Map<Field, String> roundTrip(Map<String, String> vars) {
    return HangupQuery.parse(dev.postcall.sim.FakeAsterisk.answer("GET FULL VARIABLE " + HangupQuery.EXPRESSION, new HashMap<>(vars)));
  }

  @Test
  void expression_asks_for_every_field_once_each_urlencoded() {
    for (Field f : Field.values()) assertTrue(HangupQuery.EXPRESSION.contains("${URIENCODE(${" + f.variable + "})}"), f.name());
    assertFalse(HangupQuery.EXPRESSION.contains(" "), "one AGI argument: no spaces");
  }

  @Test
  void separator_and_quotes_inside_values_do_not_shift_fields() {
    Map<Field, String> v = roundTrip(Map.of("CDR(userfield)", "a|b|c", "DIALSTATUS", "BUSY",
        "MIXMONITOR_FILENAME", "/x/\"q\" (1)|.wav"));
    assertEquals("a|b|c", v.get(Field.USERFIELD));
    assertEquals("BUSY", v.get(Field.DIALSTATUS));
    assertEquals("/x/\"q\" (1)|.wav", v.get(Field.RECORDING));
  }

  @Test
  void unset_values_are_absent() {
    Map<Field, String> v = roundTrip(Map.of("CDR(start)", "2026-11-22 22:29:21"));
    assertEquals(Map.of(Field.START, "2026-11-22 22:29:21"), v);
  }

  @Test
  void random_unicode_and_control_values_round_trip_exactly() {
    Random r = new Random(42); // seeded: reproducible
    for (int i = 0; i < 500; i++) {
      Map<String, String> vars = new HashMap<>();
      for (Field f : Field.values()) vars.put(f.variable, randomText(r));
      Map<Field, String> v = roundTrip(vars);
      for (Field f : Field.values()) {
        String want = vars.get(f.variable);
        assertEquals(want.isEmpty() ? null : want, v.get(f), f + " in round " + i);
      }
    }
  }

  static String randomText(Random r) {
    String alphabet = "|()\"\\%+ ,;=$&\n\t\u0001aZ9üé€😀/.";
    StringBuilder b = new StringBuilder();
    int n = r.nextInt(12);
    for (int i = 0; i < n; i++) {
      int cp = alphabet.codePoints().toArray()[r.nextInt((int) alphabet.codePoints().count())];
      b.appendCodePoint(cp);
    }
    return b.toString();
  }

  @Test
  void broken_escape_is_kept_literally() {
    assertEquals("100%", HangupQuery.percentDecode("100%"));
    assertEquals("%4", HangupQuery.percentDecode("%4"));
    assertEquals("+", HangupQuery.percentDecode("+"));
    assertEquals("a b", HangupQuery.percentDecode("a%20b"));
  }

  @Test
  void answer_that_is_not_the_expression_is_rejected() {
    assertThrows(IllegalArgumentException.class, () -> HangupQuery.parse("200 result=0"));
    assertThrows(IllegalArgumentException.class, () -> HangupQuery.parse("200 result=1 (a|b)"));
    assertThrows(IllegalArgumentException.class, () -> HangupQuery.parse(null));
  }

  @Test
  void an_answer_to_the_expression_without_the_call_start_is_rejected_by_its_count() {
    int n = Field.values().length;
    String older = "200 result=1 (" + "|".repeat(n - 2) + ")"; // the expression before POSTCALL_START: one value fewer
    var e = assertThrows(IllegalArgumentException.class, () -> HangupQuery.parse(older));
    assertTrue(e.getMessage().startsWith("expected " + n + " values, got " + (n - 1)), e.getMessage());
    assertEquals(Field.CALL_START, Field.values()[n - 1], "the newest value is the last: older answers differ only by it");
    assertEquals("1796616092.950000", roundTrip(Map.of("POSTCALL_START", "1796616092.950000")).get(Field.CALL_START));
  }
}
