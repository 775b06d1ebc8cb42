package dev.postcall.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AsteriskSystemnameTest {
  @TempDir Path dir;

  AsteriskSystemname.Lookup read(String conf) throws IOException {
    Path f = dir.resolve("asterisk.conf");
    Files.writeString(f, conf);
    return AsteriskSystemname.read(f);
  }

  @Test
  void reads_systemname_of_options_as_debian_ships_it() throws IOException {
    AsteriskSystemname.Lookup l = read("""
        [directories](!)
        astetcdir => /etc/asterisk
        [options]
        ;verbose = 3
        ;systemname = commented-out
        systemname = pbx-paris ; the name in every uniqueid
        """);
    assertEquals("pbx-paris", l.name());
    assertNull(l.problem());
  }

  @Test
  void takes_the_arrow_form_a_template_mark_and_the_last_of_two() throws IOException {
    assertEquals("b", read("[options](+)\nsystemname => a\nsystemname=b\n").name());
  }

  @Test
  void a_systemname_outside_options_is_not_it() throws IOException {
    AsteriskSystemname.Lookup l = read("[directories]\nsystemname = wrong\n[options]\nverbose = 3\n");
    assertNull(l.name());
    assertTrue(l.problem().endsWith("asterisk.conf sets no systemname in [options]"), l.problem());
  }

  @Test
  void an_empty_systemname_is_none() throws IOException {
    assertNull(read("[options]\nsystemname =\n").name());
  }

  @Test
  void a_missing_file_says_so() {
    AsteriskSystemname.Lookup l = AsteriskSystemname.read(dir.resolve("nope.conf"));
    assertNull(l.name());
    assertEquals(dir.resolve("nope.conf") + " does not exist", l.problem());
  }
}
