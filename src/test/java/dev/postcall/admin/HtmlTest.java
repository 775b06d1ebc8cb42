package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class HtmlTest {
  @Test
  void escapes_markup_and_attribute_quotes() {
    assertEquals("&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
        Html.esc("<a href=\"x\" onclick='y'>&</a>"));
    assertEquals("", Html.esc(null));
  }

  @Test
  void filter_dates_are_utc_and_until_includes_its_day() {
    FailedFilter f = new FailedForm("2026-11-20", "2026-11-21", "attach", " 0301 ", "").toFilter();
    assertEquals(Instant.parse("2026-11-20T00:00:00Z"), f.since());
    assertEquals(Instant.parse("2026-11-22T00:00:00Z"), f.until());
    assertEquals("ATTACH", f.stage().name());
    assertEquals("0301", f.number());
    assertEquals(null, f.reason());
    assertEquals(Instant.parse("2026-11-20T10:30:00Z"), FailedForm.date("since", "2026-11-20T10:30", false));
    assertThrows(IllegalArgumentException.class, () -> new FailedForm("20.11.2026", null, null, null, null).toFilter());
  }
}
