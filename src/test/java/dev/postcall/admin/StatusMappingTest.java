package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postcall.CallBuilder;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import dev.postcall.incident.DialStatusMapping;
import dev.postcall.call.CallRecord;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The call page shows the status the upload sends, however the PBX spelled the outcome. */
class StatusMappingTest {
  private final PostcallConfig config = PostcallConfig.from(Settings.of(Map.of()));

  @ParameterizedTest(name = "disposition \"{0}\"")
  @ValueSource(strings = {"NO ANSWER", "NO-ANSWER", "no answer", "No_Answer", " NO  ANSWER ", "BUSY", "weird", ""})
  void the_admin_page_and_the_upload_agree(String disposition) {
    CallRecord call = CallBuilder.agi("1.1").disposition(disposition).build();
    String uploaded = new DialStatusMapping(config.statusMap(), config.statusDefault()).statusFor(call);
    assertEquals(uploaded, AdminWeb.statusMapping(config).apply(call));
  }

  @ParameterizedTest(name = "disposition \"{0}\"")
  @ValueSource(strings = {"NO ANSWER", "NO-ANSWER", "no answer", "No_Answer"})
  void every_spelling_of_no_answer_is_unanswered_on_the_page(String disposition) {
    assertEquals("unanswered", AdminWeb.statusMapping(config).apply(CallBuilder.agi("1.1").disposition(disposition).build()));
  }
}
