package dev.postcall.cdr;

import dev.postcall.config.PostcallConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/** Test helpers: the real Master.csv files, rows written like cdr_csv, a Csv config. */
final class CsvFiles {
  private CsvFiles() {}

  static byte[] resource(String name) {
    try (InputStream in = CsvFiles.class.getResourceAsStream("/cdr/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> realLines(String name) {
    return new String(resource(name), StandardCharsets.UTF_8).lines().toList();
  }

  /** An 18-column rig row: a caller's Dial row in context rig, as cdr_csv writes it. */
  static String row(String uniqueid, String dst, String start, String end, int duration, String disposition) {
    return "\"\",\"5550" + dst + "\",\"" + dst + "\",\"rig\",\"\"\"Rig Caller\"\" <5550" + dst + ">\",\"Local/" + dst
        + "@rig-00000026;2\",\"\",\"Dial\",\"Local/x@rig-callee,20\",\"" + start + "\",,\"" + end + "\"," + duration
        + ",0,\"" + disposition + "\",\"DOCUMENTATION\",\"" + uniqueid + "\",\"\"\n";
  }

  static void append(Path p, String text) throws IOException {
    Files.writeString(p, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  static PostcallConfig.Csv config(List<Path> files, String... contexts) {
    return new PostcallConfig.Csv(files, "auto", ZoneId.of("UTC"), List.of(contexts), List.of("Local/*;1"),
        List.of("AppDial", "AppDial2"), Duration.ofSeconds(10), "0 30 2 * * ?", 1000);
  }
}
