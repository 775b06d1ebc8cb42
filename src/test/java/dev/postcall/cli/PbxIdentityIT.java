package dev.postcall.cli;

import dev.postcall.service.PostcallService;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.TestDb;
import dev.postcall.config.PostcallConfig;
import dev.postcall.incident.SoapIncidentSystem;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A second PBX on one database is noticed: a PBX node without an explicit pbx.id then refuses to start. */
class PbxIdentityIT {
  @TempDir Path dir;

  PostcallService node(TestDb db, String name, Map<String, String> extra, List<RuntimeException> fatal) {
    Map<String, String> m = new HashMap<>(Map.of("roles", "agi", "agi.spool-dir", dir.resolve(name).toString()));
    m.putAll(extra);
    PostcallConfig cfg = db.serviceConfig(dir, "http://127.0.0.1:9/none", m);
    PostcallService s = new PostcallService(cfg, Clock.systemUTC(), SoapIncidentSystem::new);
    s.onFatal(fatal::add);
    s.start();
    return s;
  }

  @Test
  void the_second_pbx_must_be_named_and_the_first_one_unnamed_is_refused_next_start() {
    try (TestDb db = TestDb.create()) {
      List<RuntimeException> fatal = new CopyOnWriteArrayList<>();
      try (PostcallService a = node(db, "a", Map.of(), fatal)) {
        await().atMost(Duration.ofSeconds(30)).until(a::ready);
      }
      assertEquals(1, db.count("SELECT COUNT(*) FROM pbx_nodes WHERE explicit_id = 0"), "registered under its host name");
      // a restart of the same PBX is the same PBX
      try (PostcallService a = node(db, "a", Map.of(), fatal)) {
        await().atMost(Duration.ofSeconds(30)).until(a::ready);
      }
      try (PostcallService b = node(db, "b", Map.of("pbx.id", "pbx-b"), fatal)) {
        await().atMost(Duration.ofSeconds(30)).until(b::ready);
      }
      assertTrue(fatal.isEmpty(), fatal.toString());
      try (PostcallService a = node(db, "a", Map.of(), fatal)) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !fatal.isEmpty());
        assertFalse(a.ready());
      }
      String line = fatal.get(0).getMessage();
      assertTrue(line.startsWith("pbx.id: other PBXs feed this database (pbx-b): set pbx.id on every PBX node"), line);
      assertEquals(2, db.count("SELECT COUNT(*) FROM pbx_nodes"));
    }
  }

  @Test
  void pbx_nodes_named_only_by_their_asterisk_systemname_share_a_database() throws Exception {
    try (TestDb db = TestDb.create()) {
      List<RuntimeException> fatal = new CopyOnWriteArrayList<>();
      for (String name : List.of("lyon", "paris")) {
        Path conf = dir.resolve(name + "-asterisk.conf");
        java.nio.file.Files.writeString(conf, "[options]\nsystemname = pbx-" + name + "\n");
        try (PostcallService pbx = node(db, name, Map.of("pbx.asterisk-conf", conf.toString()), fatal)) {
          await().atMost(Duration.ofSeconds(30)).until(pbx::ready);
        }
      }
      assertTrue(fatal.isEmpty(), fatal.toString());
      assertEquals(2, db.count("SELECT COUNT(*) FROM pbx_nodes WHERE pbx_id IN ('pbx-lyon', 'pbx-paris') AND explicit_id = 1"));
    }
  }

  @Test
  void a_pbx_that_ran_on_its_host_name_is_not_renamed_by_a_systemname_set_later() throws Exception {
    try (TestDb db = TestDb.create()) {
      List<RuntimeException> fatal = new CopyOnWriteArrayList<>();
      Map<String, String> noConf = Map.of("pbx.asterisk-conf", dir.resolve("none.conf").toString());
      try (PostcallService a = node(db, "a", noConf, fatal)) {
        await().atMost(Duration.ofSeconds(30)).until(a::ready);
      }
      Path conf = java.nio.file.Files.writeString(dir.resolve("asterisk.conf"), "[options]\nsystemname = pbx-new\n");
      try (PostcallService a = node(db, "a", Map.of("pbx.asterisk-conf", conf.toString()), fatal)) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !fatal.isEmpty());
        assertFalse(a.ready());
      }
      String host = PostcallConfig.Pbx.defaultId();
      assertEquals("pbx.id: this PBX ran as '" + host + "' (its host name) on this database; asterisk.conf's systemname"
          + " 'pbx-new' would make it a new PBX: set pbx.id=" + host + " to keep its calls and Master.csv positions"
          + " (or pbx.id=pbx-new to start over under that name)", fatal.get(0).getMessage());
      assertEquals(0, db.count("SELECT COUNT(*) FROM pbx_nodes WHERE pbx_id = 'pbx-new'"), "not registered");
      fatal.clear();
      try (PostcallService a = node(db, "a", Map.of("pbx.asterisk-conf", conf.toString(), "pbx.id", host), fatal)) {
        await().atMost(Duration.ofSeconds(30)).until(a::ready);
      }
      assertTrue(fatal.isEmpty(), fatal.toString());
    }
  }

  @Test
  void worker_nodes_serve_every_pbx_and_register_none() {
    try (TestDb db = TestDb.create()) {
      db.exec("INSERT INTO pbx_nodes VALUES ('pbx-a', 'a', 1, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3)),"
          + " ('pbx-b', 'b', 1, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))");
      List<RuntimeException> fatal = new CopyOnWriteArrayList<>();
      try (PostcallService w = node(db, "w", Map.of("roles", "worker"), fatal)) {
        await().atMost(Duration.ofSeconds(30)).until(w::ready);
      }
      assertTrue(fatal.isEmpty(), fatal.toString());
      assertEquals(2, db.count("SELECT COUNT(*) FROM pbx_nodes"));
    }
  }
}
