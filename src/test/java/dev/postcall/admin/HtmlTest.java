package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.queue.Stage;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HtmlTest {
  static final String HOSTILE = "<a href=\"x\" onclick='y'>&</a>";

  @Test
  void templates_escape_markup_and_attribute_quotes() {
    Map<String, Object> p = new HashMap<>();
    p.put("title", HOSTILE);
    p.put("text", HOSTILE);
    p.put("cssClass", "\" onmouseover=\"alert(1)");
    p.put("session", new AdminAuth.Session("id", "\"'><script>x</script>", "who", null));
    String html = new Pages().render("message.jte", p);
    // escaped for where each value stands (jte's contextual escaping): in text, markup and the
    // ampersand (quotes cannot end anything there); in an attribute, the quotes as well
    String text = "&lt;a href=\"x\" onclick='y'&gt;&amp;&lt;/a&gt;";
    assertTrue(html.contains("<p class=\"&#34; onmouseover=&#34;alert(1)\">" + text + "</p>"), html);
    assertTrue(html.contains("<title>" + text + " · postcall</title>"), html);
    assertTrue(html.contains("<h1>" + text + "</h1>"), html);
    assertTrue(html.contains("name=\"csrf\" value=\"&#34;&#39;>&lt;script>x&lt;/script>\""), html);
    assertFalse(html.contains("<a href=\"x\""), html);
    assertFalse(html.contains("<script>x"), html);
    assertFalse(html.contains("\" onmouseover"), html);
  }

  @Test
  void filter_dates_are_utc_and_until_includes_its_day() {
    FailedFilter f = new FailedForm("2026-11-20", "2026-11-21", "attach", " 0301 ", "").toFilter();
    assertEquals(Instant.parse("2026-11-20T00:00:00Z"), f.since());
    assertEquals(Instant.parse("2026-11-22T00:00:00Z"), f.until());
    assertEquals(Stage.ATTACH, f.stage());
    assertEquals("0301", f.number());
    assertEquals(null, f.reason());
    assertEquals(Instant.parse("2026-11-20T10:30:00Z"), FailedForm.date("since", "2026-11-20T10:30", false));
    assertThrows(IllegalArgumentException.class, () -> new FailedForm("20.11.2026", null, null, null, null).toFilter());
  }
}
