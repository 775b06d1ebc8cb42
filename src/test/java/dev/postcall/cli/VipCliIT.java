package dev.postcall.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postcall.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code postcall vip …} in-process against a real MariaDB. */
class VipCliIT {
  static TestDb db;
  static Path config;
  @TempDir static Path dir;

  @BeforeAll
  static void setUp() throws Exception {
    db = TestDb.create();
    config = Files.writeString(dir.resolve("postcall.properties"), db.properties() + "route.keep-digits=9\n");
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  static CliRun run(String... args) {
    return CliRun.of(config, args);
  }

  @Test
  void add_list_remove_and_import_store_numbers_normalised() throws Exception {
    assertEquals(0, run("vip", "add", "+33 6 12 34 56 78", "--note", "key account").rc());
    CliRun again = run("vip", "add", "0612345678");
    assertEquals(0, again.rc());
    assertTrue(again.out().contains("already VIP 0612345678"), again.out());
    assertEquals(1, db.count("SELECT COUNT(*) FROM vip_numbers WHERE number = '612345678' AND note = 'key account'"));

    Path csv = Files.writeString(dir.resolve("vips.csv"),
        "number,note\n\"0698765432\",gold\n\n0033 7 11 22 33 44;silver\nnot a number\n0612345678\n");
    CliRun imp = run("vip", "import", csv.toString());
    assertEquals(1, imp.rc(), "a refused line is reported: " + imp.out() + imp.err());
    assertTrue(imp.out().contains("refused line 5: 'not a number' has no digits"), imp.out());
    assertTrue(imp.out().contains("2 added, 1 already VIP, 1 refused"), imp.out());

    JsonNode list = new ObjectMapper().readTree(run("vip", "list", "--json").out());
    List<String> numbers = new ArrayList<>();
    list.forEach(n -> numbers.add(n.get("number").asText()));
    assertEquals(List.of("612345678", "698765432", "711223344"), numbers);

    assertEquals(0, run("vip", "remove", "06 12 34 56 78").rc());
    CliRun missing = run("vip", "remove", "0612345678");
    assertEquals(1, missing.rc());
    assertTrue(missing.out().contains("not on the list: 0612345678"), missing.out());
    assertEquals(2, db.count("SELECT COUNT(*) FROM vip_numbers"));
    CliRun bad = run("vip", "add", "anonymous");
    assertEquals(1, bad.rc());
    assertTrue(bad.err().contains("'anonymous' has no digits"), bad.err());
  }
}
