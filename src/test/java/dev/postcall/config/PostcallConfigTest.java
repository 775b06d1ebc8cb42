package dev.postcall.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostcallConfigTest {
  @Test
  void defaults_are_valid_and_bind_to_loopback() {
    PostcallConfig c = PostcallConfig.from(Settings.of(Map.of()));
    assertTrue(c.agi().bind().isLoopbackAddress());
    assertTrue(c.web().bind().isLoopbackAddress());
    assertEquals(4573, c.agi().port());
    assertEquals(Duration.ofMillis(50), c.agi().persistBudget());
    assertTrue(c.db().embedded());
    assertEquals("unanswered", c.statusMap().get("NO_ANSWER"));
    assertEquals("impossible", c.statusMap().get("CHANUNAVAIL"));
  }

  @Test
  void environment_overrides_the_file() {
    Settings s = new Settings(Map.of("agi.port", "4573", "db.url", "jdbc:mysql://db/x"),
        Map.of("POSTCALL_AGI_PORT", "5000", "POSTCALL_AGI_READ_TIMEOUT", "3s"));
    PostcallConfig c = PostcallConfig.from(s);
    assertEquals(5000, c.agi().port());
    assertEquals(Duration.ofSeconds(3), c.agi().readTimeout());
    assertFalse(c.db().embedded());
  }

  @Test
  void sections_set_from_the_environment_mean_what_the_file_keys_mean() {
    PostcallConfig c = PostcallConfig.from(new Settings(Map.of(),
        Map.of("POSTCALL_INCIDENT_ATTR_PBX", "site", "POSTCALL_STATUS_DEFAULT", "other", "POSTCALL_STATUS_NO_ANSWER", "missed")));
    assertEquals("site", c.incident().attributes().get("pbx"));
    assertEquals("other", c.statusDefault());
    assertFalse(c.statusMap().containsKey("DEFAULT"), "status.default is no status: " + c.statusMap());
    assertEquals("missed", c.statusMap().get("NO_ANSWER"));
  }

  @Test
  void a_bad_value_names_the_key_and_the_problem() {
    assertMessage("agi.port: must be between 0 and 65535, got 70000", Map.of("agi.port", "70000"));
    assertMessage("agi.read-timeout: expected a duration such as 50ms, 10s, 2m, 1h, got 'soon'", Map.of("agi.read-timeout", "soon"));
    assertMessage("db.url: must be a jdbc:mysql:// URL, got 'postgres://x'", Map.of("db.url", "postgres://x"));
    assertMessage("roles: unknown role 'pbx' (known: agi, worker, tailer, web)", Map.of("roles", "agi,pbx"));
    assertMessage("agi.prot: unknown setting (typo?)", Map.of("agi.prot", "1"));
    assertMessage("recordings.pattern: must contain ${uniqueid}, got 'x.wav'", Map.of("recordings.pattern", "x.wav"));
  }

  @Test
  void secrets_never_appear_in_the_logged_config() {
    PostcallConfig c = PostcallConfig.from(Settings.of(Map.of("db.password", "s3cret", "incident.password", "hunter2",
        "web.admin-token", "tok3n-0123456789abcdef", "db.url", "jdbc:mysql://h/db")));
    String logged = c.toString();
    assertFalse(logged.contains("s3cret") || logged.contains("hunter2") || logged.contains("tok3n"), logged);
  }

  @Test
  void passwords_inside_urls_never_appear_in_the_logged_config() {
    PostcallConfig c = PostcallConfig.from(Settings.of(Map.of(
        "db.url", "jdbc:mysql://h:3306/db?user=pc&password=dbSecret1&sslMode=REQUIRED",
        "incident.url", "https://svc:incSecret2@incident.example/soap")));
    String logged = c.db() + " " + c.incident();
    assertFalse(logged.contains("dbSecret1") || logged.contains("incSecret2"), logged);
    assertTrue(logged.contains("password=****") && logged.contains("https://svc:****@incident.example/soap"), logged);
  }

  @Test
  void a_bad_url_with_a_password_is_refused_without_printing_the_password(@TempDir Path tmp) throws Exception {
    Path conf = Files.writeString(tmp.resolve("p.properties"), "db.url=postgres://pc:dbSecret1@h/db?password=dbSecret2\n");
    StringWriter err = new StringWriter();
    int code = Main.commandLine().setErr(new PrintWriter(err)).execute("run", "--config", conf.toString());
    assertEquals(2, code);
    assertFalse(err.toString().contains("dbSecret"), err.toString());
    assertTrue(err.toString().contains("db.url: must be a jdbc:mysql:// URL"), err.toString());
    ConfigException e = assertThrows(ConfigException.class,
        () -> PostcallConfig.from(Settings.of(Map.of("incident.url", "ftp://u:incSecret2@h/"))));
    assertFalse(e.getMessage().contains("incSecret2"), e.getMessage());
  }

  @Test
  void a_short_admin_token_is_refused_and_an_empty_one_disables_the_login() {
    assertMessage("web.admin-token: too short: at least 16 characters (it has 4); for example: openssl rand -base64 32",
        Map.of("web.admin-token", "demo"));
    assertEquals("", PostcallConfig.from(Settings.of(Map.of())).web().adminToken());
    assertEquals(16, PostcallConfig.from(Settings.of(Map.of("web.admin-token", "0123456789abcdef"))).web().adminToken().length());
  }

  @Test
  void the_command_line_prints_one_line_and_exits_2_on_a_bad_value(@TempDir Path tmp) throws Exception {
    Path conf = Files.writeString(tmp.resolve("p.properties"), "worker.threads=many\n");
    StringWriter err = new StringWriter();
    int code = Main.commandLine().setErr(new PrintWriter(err)).execute("run", "--config", conf.toString());
    assertEquals(2, code);
    assertEquals("postcall: configuration error: worker.threads: expected a whole number, got 'many'", err.toString().strip());
  }

  @Test
  void the_shipped_config_file_loads_and_documents_every_key() throws Exception {
    Path file = Path.of("conf/postcall.properties");
    Settings s = Settings.load(file, Map.of());
    PostcallConfig.from(s);
    String text = Files.readString(file);
    for (String key : s.keysRead()) {
      if (key.startsWith("status.") || key.startsWith("incident.attr.")) continue;
      assertTrue(text.contains("#" + key + "=") || text.contains("\n" + key + "="), key + " missing from " + file);
    }
  }

  @Test
  void the_create_settle_time_follows_the_timeouts_unless_set_and_is_never_shorter_than_the_receive_timeout() {
    PostcallConfig.Incident d = PostcallConfig.from(Settings.of(Map.of(
        "incident.connect-timeout", "1s", "incident.receive-timeout", "3s"))).incident();
    assertEquals(Duration.ofSeconds(12), d.createSettle());
    assertEquals(Duration.ofSeconds(24), d.reconcileAfter());
    PostcallConfig.Incident set = PostcallConfig.from(Settings.of(Map.of(
        "incident.create-settle", "5m", "incident.reconcile-after", "1h"))).incident();
    assertEquals(Duration.ofMinutes(5), set.createSettle());
    assertEquals(Duration.ofHours(1), set.reconcileAfter());
    ConfigException e = assertThrows(ConfigException.class, () -> PostcallConfig.from(Settings.of(Map.of(
        "incident.receive-timeout", "60s", "incident.create-settle", "30s"))));
    assertTrue(e.getMessage().startsWith("incident.create-settle: must be at least incident.receive-timeout"), e.getMessage());
  }

  @Test
  void the_lease_is_short_and_renewed_by_a_heartbeat_well_inside_it() {
    PostcallConfig.Worker w = PostcallConfig.from(Settings.of(Map.of())).worker();
    assertEquals(Duration.ofSeconds(30), w.lease());
    assertEquals(Duration.ofSeconds(10), w.heartbeat());
    assertEquals(Duration.ofSeconds(20), PostcallConfig.from(Settings.of(Map.of("worker.lease", "1m"))).worker().heartbeat());
    assertMessage("worker.heartbeat: must be more than 0 and less than half of worker.lease (PT30S), got PT15S",
        Map.of("worker.heartbeat", "15s"));
    assertEquals(Duration.ofSeconds(5), PostcallConfig.from(Settings.of(Map.of())).db().maxClockSkew());
  }

  @Test
  void the_embedded_database_only_for_one_process_running_every_role() {
    assertMessage("db.url: must be set when this process does not run every role (roles=agi,tailer): the embedded database"
        + " is only for one process running agi,worker,tailer,web", Map.of("roles", "agi,tailer"));
    assertTrue(PostcallConfig.from(Settings.of(Map.of("roles", "agi,tailer", "db.url", "jdbc:mysql://db/pc"))).roles()
        .size() == 2);
    assertTrue(PostcallConfig.from(Settings.of(Map.of())).db().embedded(), "a single node keeps working without settings");
  }

  @Test
  void the_pbx_id_defaults_to_the_host_name_and_is_checked(@TempDir Path dir) {
    Path none = dir.resolve("asterisk.conf");
    PostcallConfig.Pbx d = PostcallConfig.from(Settings.of(Map.of("pbx.asterisk-conf", none.toString()))).pbx();
    assertFalse(d.explicit());
    assertEquals(PostcallConfig.Pbx.defaultId(), d.id());
    assertEquals(none + " does not exist", d.note(), "why not the systemname, for the start-up line");
    assertEquals(new PostcallConfig.Pbx("pbx-2", true), PostcallConfig.from(Settings.of(Map.of("pbx.id", "pbx-2"))).pbx());
    assertMessage("pbx.id: letters, digits, '.', '_' and '-' only, at most 64, got 'pbx 2'", Map.of("pbx.id", "pbx 2"));
  }

  @Test
  void a_pbx_node_without_pbx_id_is_named_by_asterisks_systemname(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("asterisk.conf");
    Files.writeString(conf, "[options]\nsystemname = pbx-lyon\n");
    Map<String, String> node = Map.of("roles", "agi,tailer", "db.url", "jdbc:mysql://db/pc", "pbx.asterisk-conf", conf.toString());
    PostcallConfig c = PostcallConfig.from(Settings.of(node));
    assertEquals(new PostcallConfig.Pbx("pbx-lyon", PostcallConfig.Pbx.Origin.SYSTEMNAME, "systemname in " + conf), c.pbx());
    assertTrue(c.pbx().explicit(), "a systemname is an admin's choice: enough once a second PBX feeds the database");
    assertEquals("pbx-lyon", c.agi().pbxId());
    assertEquals("pbx-lyon", c.csv().pbxId());
    Map<String, String> set = new java.util.HashMap<>(node);
    set.put("pbx.id", "pbx-2");
    assertEquals(new PostcallConfig.Pbx("pbx-2", true), PostcallConfig.from(Settings.of(set)).pbx(), "pbx.id wins");
    Map<String, String> tailer = new java.util.HashMap<>(node);
    tailer.put("roles", "tailer");
    assertEquals("pbx-lyon", PostcallConfig.from(Settings.of(tailer)).pbx().id());
  }

  @Test
  void a_worker_only_node_reads_no_asterisk_conf(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("asterisk.conf");
    Files.writeString(conf, "[options]\nsystemname = pbx-lyon\n");
    PostcallConfig.Pbx p = PostcallConfig.from(Settings.of(Map.of("roles", "worker,web", "db.url", "jdbc:mysql://db/pc",
        "pbx.asterisk-conf", conf.toString()))).pbx();
    assertEquals(new PostcallConfig.Pbx(PostcallConfig.Pbx.defaultId(), false), p);
  }

  @Test
  void a_systemname_that_is_no_pbx_id_falls_back_to_the_host_name_saying_why(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("asterisk.conf");
    Files.writeString(conf, "[options]\nsystemname = PBX Lyon\n");
    PostcallConfig.Pbx p = PostcallConfig.from(Settings.of(Map.of("pbx.asterisk-conf", conf.toString()))).pbx();
    assertEquals(PostcallConfig.Pbx.defaultId(), p.id());
    assertEquals(PostcallConfig.Pbx.Origin.HOST_NAME, p.origin());
    assertEquals("systemname 'PBX Lyon' in " + conf + " is no pbx id (letters, digits, '.', '_' and '-', at most 64)",
        p.note());
  }

  @Test
  void each_pbx_may_have_its_own_recordings_folder_and_pattern_and_every_other_uses_recordings_dir() {
    PostcallConfig.Recordings r = PostcallConfig.from(Settings.of(Map.of("recordings.dir", "/mnt/all",
        "recordings.pbx.pbx-a.dir", "/mnt/a", "recordings.pbx.pbx.b.dir", "/mnt/b",
        "recordings.pbx.pbx.b.pattern", "b-${uniqueid}.wav"))).recordings();
    assertEquals(new PostcallConfig.Recordings.Folder(Path.of("/mnt/a"), "${uniqueid}.wav"), r.forPbx("pbx-a"));
    assertEquals(new PostcallConfig.Recordings.Folder(Path.of("/mnt/b"), "b-${uniqueid}.wav"), r.forPbx("pbx.b"));
    assertEquals(new PostcallConfig.Recordings.Folder(Path.of("/mnt/all"), "${uniqueid}.wav"), r.forPbx("pbx-c"));
    PostcallConfig named = PostcallConfig.from(Settings.of(Map.of("pbx.id", "pbx-2")));
    assertEquals("pbx-2", named.csv().pbxId(), "this node's Master.csv rows are its PBX's");
    assertEquals("pbx-2", named.agi().pbxId(), "and so are its hangups");
    assertMessage("recordings.pbx.pbx-a.dir: must be set when recordings.pbx.pbx-a.pattern is",
        Map.of("recordings.pbx.pbx-a.pattern", "${uniqueid}.wav"));
    assertMessage("recordings.pbx.pbx-a.pattern: must contain ${uniqueid}, got 'x.wav'",
        Map.of("recordings.pbx.pbx-a.dir", "/mnt/a", "recordings.pbx.pbx-a.pattern", "x.wav"));
    assertMessage("recordings.pbx.pbx-a.folder: expected recordings.pbx.<pbx id>.dir or .pattern",
        Map.of("recordings.pbx.pbx-a.folder", "/mnt/a"));
    assertMessage("recordings.pbx.pbx a.dir: 'pbx a' is no pbx id (letters, digits, '.', '_' and '-', at most 64)",
        Map.of("recordings.pbx.pbx a.dir", "/mnt/a"));
  }

  private static void assertMessage(String expected, Map<String, String> values) {
    ConfigException e = assertThrows(ConfigException.class, () -> PostcallConfig.from(Settings.of(values)));
    assertEquals(expected, e.getMessage());
  }
}
