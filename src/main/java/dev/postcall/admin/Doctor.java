package dev.postcall.admin;

import dev.postcall.agi.AddressAllowlist;
import dev.postcall.config.PostcallConfig;
import dev.postcall.db.Sql;
import dev.postcall.incident.IncidentSystem;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * What postcall depends on, checked on the PBX host one by one: Asterisk's CDR settings and
 * Master.csv, the recordings folders, whether Asterisk's open files can be seen, the FastAGI port
 * and the dialplan's address, the database, the incident system, free disk and the clock. Each
 * check says OK or the problem and its fix; none stops the others.
 */
public final class Doctor {
  /** One check's verdict; {@code fix} is null when it is OK. */
  public record Finding(String check, boolean ok, String detail, String fix) {}

  static final long MIN_FREE_BYTES = 1L << 30;
  static final Duration MAX_SKEW = Duration.ofSeconds(2);
  /** A Master.csv row's start and its uniqueid's epoch (the channel's creation) differ by a ring time, not by hours. */
  static final Duration MAX_ROW_DRIFT = Duration.ofMinutes(30);
  private static final Pattern AGI_URL = Pattern.compile("agi://([^/:\\s]+)(?::(\\d+))?");
  private static final DateTimeFormatter CSV_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private final PostcallConfig cfg;
  private final Path asteriskEtc;
  private final AsteriskCli asterisk;
  private final Path proc;
  private final Clock clock;

  public Doctor(PostcallConfig cfg, Path asteriskEtc, AsteriskCli asterisk, Path proc, Clock clock) {
    this.cfg = cfg;
    this.asteriskEtc = asteriskEtc;
    this.asterisk = asterisk;
    this.proc = proc;
    this.clock = clock;
  }

  /** The checks that need neither the database nor the incident system. */
  public List<Finding> local() {
    List<Finding> out = new ArrayList<>();
    out.addAll(cdrConf());
    out.addAll(runningCdr());
    out.addAll(masterCsv());
    out.addAll(RecordingFolderChecks.of(cfg));
    out.add(openFiles());
    out.add(agiPort());
    out.add(dialplan());
    out.add(disk("spool", cfg.agi().spoolDir()));
    out.add(disk("archive", cfg.archive().dir()));
    return out;
  }

  // --- Asterisk's CDR settings -------------------------------------------------------------

  List<Finding> cdrConf() {
    List<Finding> out = new ArrayList<>();
    Path cdr = asteriskEtc.resolve("cdr.conf");
    Map<String, Map<String, String>> conf;
    try {
      conf = Ini.read(cdr);
    } catch (IOException e) {
      out.add(problem("cdr.conf", "cannot read " + cdr + ": " + e.getMessage(),
          "run doctor as a user that can read it (root or the asterisk group), or give --asterisk-etc"));
      return out;
    }
    // Asterisk before 12 read the [csv] options from cdr_csv.conf
    Map<String, String> csv = conf.get("csv");
    Path cdrCsv = asteriskEtc.resolve("cdr_csv.conf");
    if (csv == null && Files.isReadable(cdrCsv)) {
      try {
        csv = Ini.read(cdrCsv).get("csv");
      } catch (IOException e) {
        csv = null;
      }
    }
    Map<String, String> general = conf.getOrDefault("general", Map.of());
    if (!"no".equals(bool(general.get("enable"), "yes"))) {
      out.add(ok("cdr.conf enable", "CDRs enabled"));
    } else {
      out.add(problem("cdr.conf enable", "[general] enable=no: Asterisk writes no CDR", "set enable=yes, then: asterisk -rx 'module reload cdr'"));
    }
    out.add(expect("cdr.conf endbeforehexten", general, "endbeforehexten", "yes", "[general]",
        "inside h the CDR is not final (end empty, duration 0, dst 'h') and Master.csv gets an extra row per call"));
    if (csv == null) {
      out.add(problem("cdr.conf [csv]", cdr + " has no [csv] section: cdr_csv writes no Master.csv",
          "add the [csv] section of conf/asterisk/cdr_postcall.conf, then: asterisk -rx 'module unload cdr_csv.so' and 'module load cdr_csv.so'"));
    } else {
      out.add(ok("cdr.conf [csv]", "present"));
      out.add(expect("cdr.conf loguniqueid", csv, "loguniqueid", "yes", "[csv]",
          "Master.csv rows carry no uniqueid: they cannot be matched to the calls the hangup brought"));
      out.add(expect("cdr.conf loguserfield", csv, "loguserfield", "yes", "[csv]", "the userfield is missing from the calls Master.csv brings"));
      boolean gmt = "yes".equals(bool(csv.get("usegmtime"), "no"));
      boolean utc = cfg.csv().zone().normalized().equals(ZoneOffset.UTC);
      if (gmt && !utc) {
        out.add(problem("cdr.conf usegmtime", "usegmtime=yes (Master.csv in UTC) but cdr.timezone is " + cfg.csv().zone(),
            "set cdr.timezone=UTC in postcall.properties, or usegmtime=no in [csv]"));
      } else {
        out.add(ok("cdr.conf usegmtime", "usegmtime=" + (gmt ? "yes" : "no") + ", cdr.timezone=" + cfg.csv().zone()));
      }
    }
    Path modules = asteriskEtc.resolve("modules.conf");
    try {
      List<String> noload = Ini.read(modules).getOrDefault("modules", Map.of()).entrySet().stream()
          .filter(e -> e.getKey().startsWith("noload")).map(Map.Entry::getValue).toList();
      if (noload.stream().anyMatch(v -> v.startsWith("cdr_csv"))) {
        out.add(problem("cdr_csv module", "modules.conf says noload => cdr_csv.so", "remove that line, then: asterisk -rx 'module load cdr_csv.so'"));
      } else {
        out.add(ok("cdr_csv module", "not excluded in modules.conf"));
      }
    } catch (IOException e) {
      out.add(ok("cdr_csv module", "no readable modules.conf (Asterisk's autoload)"));
    }
    return out;
  }

  /**
   * What the running Asterisk has loaded, which the files cannot tell: a cdr_csv that was unloaded,
   * failed to load or lost its backend (a missing [csv] at load time) writes no Master.csv. When
   * Asterisk cannot be asked (not running, no access to its control socket) one line says that the
   * checks above read the files only.
   */
  List<Finding> runningCdr() {
    List<Finding> out = new ArrayList<>();
    AsteriskCli.Reply modules = asterisk.rx("module show like cdr_csv");
    if (!modules.answered()) {
      out.add(ok("running Asterisk", "not asked (" + modules.failure() + "): the CDR checks above read the configuration"
          + " files only; to check what Asterisk has loaded too, run doctor as root (or a user Asterisk's control socket"
          + " admits) and give --asterisk if its binary is elsewhere"));
      return out;
    }
    boolean loaded = modules.output().lines().anyMatch(l -> l.startsWith("cdr_csv.so") && l.contains("Running"));
    AsteriskCli.Reply status = asterisk.rx("cdr show status");
    List<String> backends = status.answered() ? registeredBackends(status.output()) : List.of();
    if (!loaded) {
      out.add(problem("cdr_csv backend", "cdr_csv.so is not loaded in the running Asterisk: it writes no Master.csv",
          "asterisk -rx 'module load cdr_csv.so' (and keep it out of modules.conf's noload lines)"));
    } else if (status.answered() && !backends.contains("csv")) {
      out.add(problem("cdr_csv backend", "cdr_csv.so is loaded but csv is no registered CDR backend (registered: "
          + (backends.isEmpty() ? "none" : String.join(", ", backends)) + "): cdr.conf had no [csv] section when it loaded",
          "add the [csv] section of conf/asterisk/cdr_postcall.conf, then: asterisk -rx 'module unload cdr_csv.so' and 'module load cdr_csv.so'"));
    } else {
      out.add(ok("cdr_csv backend", "loaded and registered in the running Asterisk"));
    }
    if (status.answered() && status.output().lines().map(String::strip).anyMatch(l -> l.matches("Logging:\\s+Disabled"))) {
      out.add(problem("CDR logging", "disabled in the running Asterisk: it writes no CDR",
          "set enable=yes in [general] of cdr.conf, then: asterisk -rx 'module reload cdr'"));
    }
    return out;
  }

  /** The names under "Registered Backends" in {@code cdr show status}. */
  static List<String> registeredBackends(String status) {
    List<String> names = new ArrayList<>();
    boolean in = false;
    for (String line : status.lines().map(String::strip).toList()) {
      if (line.startsWith("* Registered Backends")) {
        in = true;
      } else if (in && !line.isEmpty() && !line.startsWith("---")) {
        if (line.startsWith("*")) break;
        if (!line.equals("(none)")) names.add(line.split("\\s+")[0]);
      }
    }
    return names;
  }

  private static Finding expect(String check, Map<String, String> section, String key, String want, String where, String why) {
    String v = bool(section.get(key), "no");
    if (want.equals(v)) return ok(check, key + "=" + want);
    return problem(check, key + " is " + (section.get(key) == null ? "not set" : section.get(key)) + ": " + why,
        "set " + key + "=" + want + " in " + where + " of cdr.conf, then: asterisk -rx 'module reload cdr'");
  }

  /** Asterisk's ast_true: yes, true, y, t, 1, on. */
  static String bool(String v, String dflt) {
    if (v == null) return dflt;
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "yes", "true", "y", "t", "1", "on" -> "yes";
      default -> "no";
    };
  }

  // --- Master.csv -------------------------------------------------------------------------

  List<Finding> masterCsv() {
    List<Finding> out = new ArrayList<>();
    for (Path f : cfg.csv().files()) {
      String check = "Master.csv " + f;
      if (!Files.exists(f)) {
        out.add(problem(check, "does not exist", "check csv.files and that cdr_csv is loaded (asterisk -rx 'cdr show status')"));
        continue;
      }
      if (!Files.isReadable(f)) {
        out.add(problem(check, "not readable by " + System.getProperty("user.name"), "add the postcall user to the asterisk group"));
        continue;
      }
      try {
        Instant modified = Files.getLastModifiedTime(f).toInstant();
        Duration age = Duration.between(modified, clock.instant());
        if (age.compareTo(Duration.ofDays(1)) > 0) {
          out.add(problem(check, "not written for " + age.toHours() + " h", "is cdr_csv loaded and are calls running? asterisk -rx 'cdr show status'"));
        } else {
          out.add(ok(check, "readable, last written " + age.toSeconds() + " s ago"));
        }
        out.add(rowTimes(f));
      } catch (IOException e) {
        out.add(problem(check, e.getMessage(), "check the file's permissions"));
      }
    }
    return out;
  }

  /**
   * The last rows' start times read in cdr.timezone against their uniqueid's epoch (Asterisk
   * names a channel by the second it was created): hours apart means the zone is wrong.
   */
  Finding rowTimes(Path f) throws IOException {
    String check = "Master.csv times " + f.getFileName();
    List<String> lines = tail(f, 20);
    long worst = 0;
    int seen = 0;
    for (String line : lines) {
      List<String> cols = csvColumns(line);
      Instant start = null;
      Long epoch = null;
      for (String c : cols) {
        if (start == null && c.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d")) {
          start = LocalDateTime.parse(c, CSV_TIME).atZone(cfg.csv().zone()).toInstant();
        }
        if (c.matches("\\d{9,11}\\.\\d+")) epoch = Long.parseLong(c.substring(0, c.indexOf('.')));
      }
      if (start == null || epoch == null) continue;
      seen++;
      long drift = start.getEpochSecond() - epoch;
      if (Math.abs(drift) > Math.abs(worst)) worst = drift;
    }
    if (seen == 0) return ok(check, "no row with a uniqueid and a start time to compare yet");
    if (Math.abs(worst) > MAX_ROW_DRIFT.toSeconds()) {
      return problem(check, "the last rows' start times, read in cdr.timezone=" + cfg.csv().zone() + ", are "
          + Math.round(worst / 3600.0 * 10) / 10.0 + " h off their uniqueids' time",
          "set cdr.timezone to the zone Asterisk writes Master.csv in (UTC if [csv] usegmtime=yes)");
    }
    return ok(check, seen + " recent rows agree with cdr.timezone=" + cfg.csv().zone());
  }

  static List<String> csvColumns(String line) {
    List<String> cols = new ArrayList<>();
    StringBuilder b = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') quoted = !quoted;
      else if (c == ',' && !quoted) {
        cols.add(b.toString());
        b.setLength(0);
      } else b.append(c);
    }
    cols.add(b.toString());
    return cols;
  }

  private static List<String> tail(Path f, int n) throws IOException {
    try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "r")) {
      long from = Math.max(0, r.length() - 64 * 1024);
      r.seek(from);
      byte[] buf = new byte[(int) (r.length() - from)];
      r.readFully(buf);
      List<String> lines = new String(buf, StandardCharsets.UTF_8).lines().toList();
      if (from > 0 && !lines.isEmpty()) lines = lines.subList(1, lines.size()); // a partial first line
      return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }
  }

  // --- recordings and Asterisk's open files -----------------------------------------------

  Finding openFiles() {
    String check = "open-file test";
    if (!cfg.recordings().procProbe()) {
      return ok(check, "recordings.proc-probe=false: a recording counts as finished after " + cfg.recordings().quietPeriod() + " without growth");
    }
    // The PBX's Asterisk is the pid in asterisk.pid of its astrundir. Not any process named asterisk:
    // a host may run several, every `asterisk -r`/`-rx` console is one too (holding no recordings),
    // and neither a cwd (wherever it started) nor the recordings (open only during calls) tell.
    Path pidFile = asteriskRunDir().resolve("asterisk.pid");
    String pidText;
    try {
      pidText = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
    } catch (NoSuchFileException e) {
      return problem(check, "no " + pidFile + ": Asterisk is not running, or its asterisk.conf is not in " + asteriskEtc,
          "start Asterisk, or give --asterisk-etc its configuration folder; on a worker host without Asterisk set recordings.proc-probe=false");
    } catch (IOException e) {
      return problem(check, "cannot read " + pidFile + " (" + e.getClass().getSimpleName() + ")",
          "add the postcall user to the asterisk group, or set recordings.proc-probe=false (quiet-period test)");
    }
    if (!pidText.matches("\\d{1,10}")) return problem(check, pidFile + " holds no pid", "restart Asterisk: it rewrites the file");
    Path pid = proc.resolve(pidText);
    String comm;
    try {
      comm = Files.readString(pid.resolve("comm")).trim();
    } catch (IOException e) {
      comm = null;
    }
    // a pid file left by an Asterisk that crashed, its pid since reused or gone
    if (!"asterisk".equals(comm)) {
      return problem(check, pidFile + " names pid " + pidText + ", which is " + (comm == null ? "not running" : comm + ", not Asterisk"),
          "start Asterisk (it rewrites the pid file), or set recordings.proc-probe=false");
    }
    Path fdDir = pid.resolve("fd");
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
      // the probe reads each descriptor's link, which the kernel may deny where it allows the listing
      for (Path fd : fds) {
        try {
          Files.readSymbolicLink(fd);
          break;
        } catch (NoSuchFileException closedMeanwhile) {
          // try the next one
        }
      }
      return ok(check, "the open files of Asterisk (pid " + pidText + " from " + pidFile + ") are visible in " + fdDir);
    } catch (IOException e) {
      return problem(check, "cannot read " + fdDir + " (" + e.getClass().getSimpleName() + ")",
          "run postcall as the asterisk user or with CAP_SYS_PTRACE, or set recordings.proc-probe=false (quiet-period test)");
    }
  }

  /** astrundir from asterisk.conf's [directories]; Asterisk's default without one. */
  private Path asteriskRunDir() {
    Path conf = asteriskEtc.resolve("asterisk.conf");
    try {
      String dir = Ini.read(conf).getOrDefault("directories", Map.of()).get("astrundir");
      if (dir != null && !dir.isBlank()) return Path.of(dir);
    } catch (IOException e) {
      // no or an unreadable asterisk.conf: Asterisk's built-in folders
    }
    return Path.of("/var/run/asterisk");
  }

  // --- FastAGI ----------------------------------------------------------------------------

  Finding agiPort() {
    InetAddress bind = cfg.agi().bind();
    String host = bind.isAnyLocalAddress() ? "127.0.0.1" : bind.getHostAddress();
    String check = "FastAGI " + host + ":" + cfg.agi().port();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, cfg.agi().port()), 1000);
      return ok(check, "listening");
    } catch (IOException e) {
      return problem(check, "nothing listens (" + e.getMessage() + ")", "start postcall with the agi role: systemctl start postcall");
    }
  }

  /** The dialplan's agi:// address must be postcall's port, and its host one postcall accepts. */
  Finding dialplan() {
    String check = "dialplan AGI address";
    List<String> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(asteriskEtc, "extensions*.conf")) {
      for (Path f : files) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          String code = line.contains(";") ? line.substring(0, line.indexOf(';')) : line;
          Matcher m = AGI_URL.matcher(code);
          while (m.find()) found.add(m.group(1) + ":" + (m.group(2) == null ? "4573" : m.group(2)) + " (" + f.getFileName() + ")");
        }
      }
    } catch (IOException e) {
      return problem(check, "cannot read " + asteriskEtc + ": " + e.getMessage(), "run doctor as root or give --asterisk-etc");
    }
    if (found.isEmpty()) {
      return problem(check, "no agi:// address in " + asteriskEtc + "/extensions*.conf",
          "include conf/asterisk/extensions_postcall.conf from extensions.conf");
    }
    List<String> wrong = new ArrayList<>();
    for (String a : found) {
      String hostPort = a.substring(0, a.indexOf(' '));
      String host = hostPort.substring(0, hostPort.lastIndexOf(':'));
      int port = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
      boolean allowed;
      try {
        InetAddress addr = InetAddress.getByName(host);
        // Asterisk connects from the address it reaches postcall on when both run on this host
        allowed = new AddressAllowlist(cfg.agi().allow()).allows(addr);
      } catch (IOException e) {
        allowed = false;
      }
      if (port != cfg.agi().port() || !allowed) wrong.add(a + (port != cfg.agi().port() ? " port ≠ agi.port " + cfg.agi().port() : " not in agi.allow"));
    }
    if (!wrong.isEmpty()) {
      return problem(check, String.join("; ", wrong), "point POSTCALL_AGI at agi://<postcall host>:" + cfg.agi().port()
          + "/hangup and list the PBX's address in agi.allow");
    }
    return ok(check, String.join(", ", found));
  }

  // --- disk, database, incident system, clock ---------------------------------------------

  Finding disk(String what, Path dir) {
    String check = "free disk for " + what + " " + dir;
    Path existing = dir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) existing = existing.getParent();
    if (existing == null) return problem(check, "no such path", "create " + dir);
    try {
      long free = Files.getFileStore(existing).getUsableSpace();
      if (free < MIN_FREE_BYTES) {
        return problem(check, (free >> 20) + " MiB free", "free space or move " + what + " to a larger disk");
      }
      return ok(check, (free >> 30) + " GiB free");
    } catch (IOException e) {
      return problem(check, e.getMessage(), "check the mount");
    }
  }

  /** Reachable, migrated, and its clock within {@link #MAX_SKEW} of this host's. */
  public List<Finding> database(Supplier<DataSource> open) {
    List<Finding> out = new ArrayList<>();
    DataSource ds;
    try {
      ds = open.get();
    } catch (RuntimeException e) {
      out.add(problem("database", "not reachable: " + e.getMessage(), "check db.url, db.user and POSTCALL_DB_PASSWORD; is the server up?"));
      return out;
    }
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      try {
        long applied = Sql.scalarLong(c, "SELECT COUNT(*) FROM flyway_schema_history WHERE success = 1");
        out.add(ok("database", "reachable, " + applied + " migrations applied"));
      } catch (java.sql.SQLException e) {
        out.add(problem("database", "reachable but not migrated (" + e.getMessage() + ")", "start postcall once: it migrates the schema"));
      }
      Instant before = clock.instant();
      try (ResultSet rs = st.executeQuery("SELECT UNIX_TIMESTAMP(NOW(3))")) {
        rs.next();
        Instant after = clock.instant();
        long dbMillis = Math.round(rs.getDouble(1) * 1000);
        long mid = (before.toEpochMilli() + after.toEpochMilli()) / 2;
        long skew = dbMillis - mid;
        if (Math.abs(skew) > MAX_SKEW.toMillis()) {
          out.add(problem("clock", "database clock " + skew + " ms off this host's", "run NTP (chrony or systemd-timesyncd) on both hosts"));
        } else {
          out.add(ok("clock", "database clock within " + Math.abs(skew) + " ms of this host's"));
        }
      }
    } catch (java.sql.SQLException e) {
      out.add(problem("database", "not reachable: " + e.getMessage(), "check db.url, db.user and POSTCALL_DB_PASSWORD; is the server up?"));
    }
    return out;
  }

  public Finding incident(IncidentSystem incident) {
    String check = "incident system " + cfg.incident().url();
    try {
      return incident.reachable() ? ok(check, "logged in as " + cfg.incident().user())
          : problem(check, "login or getProcess " + cfg.incident().process() + " failed",
              "check incident.url, incident.user, POSTCALL_INCIDENT_PASSWORD and incident.process");
    } catch (RuntimeException e) {
      return problem(check, e.getMessage(), "check incident.url and that the host is reachable from here");
    }
  }

  static Finding ok(String check, String detail) {
    return new Finding(check, true, detail, null);
  }

  static Finding problem(String check, String detail, String fix) {
    return new Finding(check, false, detail, fix);
  }

  /** Asterisk's .conf files: [section], key = value and key => value, ';' comments. */
  static final class Ini {
    static Map<String, Map<String, String>> read(Path file) throws IOException {
      Map<String, Map<String, String>> out = new LinkedHashMap<>();
      Map<String, String> section = null;
      int n = 0;
      try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        for (String line; (line = r.readLine()) != null; ) {
          int semi = line.indexOf(';');
          String s = (semi >= 0 ? line.substring(0, semi) : line).trim();
          if (s.isEmpty()) continue;
          if (s.startsWith("[")) {
            String name = s.substring(1, s.indexOf(']') > 0 ? s.indexOf(']') : s.length()).trim().toLowerCase(Locale.ROOT);
            section = out.computeIfAbsent(name, k -> new LinkedHashMap<>());
            continue;
          }
          int eq = s.indexOf('=');
          if (section == null || eq < 0) continue;
          String key = s.substring(0, eq).trim().toLowerCase(Locale.ROOT);
          String value = s.substring(eq + 1).replaceFirst("^>", "").trim();
          // repeated keys (noload => …) kept apart
          section.put(section.containsKey(key) ? key + "#" + (++n) : key, value);
        }
      }
      return out;
    }
  }
}
