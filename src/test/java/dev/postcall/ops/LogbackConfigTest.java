package dev.postcall.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

/** conf/logback.xml: one line per call event, text by default, JSON when the property says so. */
class LogbackConfigTest {

  /** Configures a fresh logback context from conf/logback.xml and returns what one event printed. */
  static String logOnce(String format) throws Exception {
    LoggerContext ctx = new LoggerContext();
    ctx.setMDCAdapter(MDC.getMDCAdapter()); // the MDC the code writes to
    if (format != null) ctx.putProperty("postcall.log.format", format);
    JoranConfigurator jc = new JoranConfigurator();
    jc.setContext(ctx);
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      jc.doConfigure(Path.of("conf/logback.xml").toFile());
      Logger log = ctx.getLogger("dev.postcall.work.UploadCall");
      MDC.put("uniqueid", "1700000000.42");
      log.info("call {} delivered as {}\nsecond line", "1700000000.42", "OBJ-7");
      ctx.getLogger("org.eclipse.jetty.server").info("library chatter");
    } finally {
      MDC.remove("uniqueid");
      ctx.stop(); // lines are written on the async appender's thread: stopping flushes them
      System.setOut(saved);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void text_is_one_line_per_event_with_the_uniqueid() throws Exception {
    String out = logOnce(null);
    assertEquals(1, out.lines().count(), out);
    assertTrue(out.contains("INFO"), out);
    assertTrue(out.contains(" 1700000000.42 - call 1700000000.42 delivered as OBJ-7 second line"), out);
  }

  @Test
  void json_format_is_one_parseable_object_per_line() throws Exception {
    String out = logOnce("JSON");
    assertEquals(1, out.lines().count(), out);
    JsonNode n = new ObjectMapper().readTree(out.lines().findFirst().orElseThrow());
    assertEquals("INFO", n.get("level").asText());
    assertTrue(n.get("formattedMessage").asText().startsWith("call 1700000000.42 delivered as OBJ-7"), out);
    assertEquals("1700000000.42", n.at("/mdc/uniqueid").asText(), out);
  }
}
