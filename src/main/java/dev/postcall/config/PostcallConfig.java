package dev.postcall.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * postcall's whole configuration: one immutable, validated object built at start-up from {@link
 * Settings}. Every section checks its values in {@code from(...)} and refuses to start with a
 * {@link ConfigException} naming the key. Defaults are named constants next to their section.
 */
public record PostcallConfig(
    Set<Role> roles,
    Db db,
    Agi agi,
    Recordings recordings,
    Audio audio,
    Worker worker,
    Archive archive,
    Incident incident,
    Map<String, String> statusMap,
    String statusDefault,
    Csv csv,
    Web web,
    Route route,
    Pbx pbx) {

  public enum Role { AGI, WORKER, TAILER, WEB }

  public static PostcallConfig from(Settings s) {
    Set<Role> roles = roles(s);
    Pbx pbx = Pbx.from(s, roles);
    PostcallConfig c = new PostcallConfig(
        roles,
        Db.from(s),
        Agi.from(s, pbx),
        Recordings.from(s),
        Audio.from(s),
        Worker.from(s),
        Archive.from(s),
        Incident.from(s),
        statusMap(s),
        s.string("status.default", "unknown"),
        Csv.from(s, pbx),
        Web.from(s),
        Route.from(s),
        pbx);
    // The embedded database is private to this process: a node running only some roles would keep
    // its calls where no other node's workers (or admins) can see them.
    if (c.db().embedded() && !c.roles().containsAll(EnumSet.allOf(Role.class)))
      throw new ConfigException("db.url", "must be set when this process does not run every role (roles="
          + s.string("roles", "") + "): the embedded database is only for one process running agi,worker,tailer,web");
    List<String> unknown = s.unknownKeys();
    if (unknown.contains("agi.max-threads"))
      throw new ConfigException("agi.max-threads", "removed: sessions no longer take a thread each — use agi.max-sessions (open connections, default 2000)");
    if (!unknown.isEmpty()) throw new ConfigException(unknown.get(0), "unknown setting (typo?)");
    return c;
  }

  private static Set<Role> roles(Settings s) {
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    for (String r : s.list("roles", "agi,worker,tailer,web")) {
      try {
        roles.add(Role.valueOf(r.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("roles", "unknown role '" + r + "' (known: agi, worker, tailer, web)");
      }
    }
    return Set.copyOf(roles);
  }

  /**
   * DIALSTATUS and CDR disposition values → the incident system's status. Keys are upper case with
   * spaces as underscores ({@code status.NO_ANSWER=unanswered}).
   */
  private static Map<String, String> statusMap(Settings s) {
    Map<String, String> m = new TreeMap<>(Map.ofEntries(
        Map.entry("ANSWER", "answered"), Map.entry("ANSWERED", "answered"),
        Map.entry("BUSY", "busy"),
        Map.entry("NOANSWER", "unanswered"), Map.entry("CANCEL", "unanswered"),
        Map.entry("NO_ANSWER", "unanswered"),
        Map.entry("CONGESTION", "congestion"),
        Map.entry("CHANUNAVAIL", "impossible"), Map.entry("FAILED", "impossible"),
        // privacy manager refused the caller (DONTCALL, TORTURE): nobody answered
        Map.entry("DONTCALL", "unanswered"), Map.entry("TORTURE", "unanswered"),
        Map.entry("INVALIDARGS", "impossible")));
    s.section("status").forEach((k, v) -> {
      if (k.equalsIgnoreCase("default")) return; // status.default (POSTCALL_STATUS_DEFAULT) is no status
      if (v.isEmpty()) throw new ConfigException("status." + k, "must not be empty");
      m.put(k.toUpperCase(Locale.ROOT).replace(' ', '_'), v);
    });
    return Map.copyOf(m);
  }

  /**
   * The {@code route} FastAGI script: {@code stickyWindow} is how far back the last answering agent
   * counts; caller numbers are normalised by {@code stripPrefixes} (first match, in order; "+" means
   * a leading plus) and {@code keepDigits} (the last N digits, 0 for all); {@code vipPriority} and
   * {@code priority} are the POSTCALL_PRIORITY of VIP and other callers; {@code refresh} is how often
   * the VIP list is re-read (and the first load retried while the database is down); {@code
   * acrossPbxs}: the last agent may be one who answered the caller on another PBX (only where every
   * PBX can dial every PBX's agents by the same name) — by default only this node's PBX counts.
   */
  public record Route(Duration stickyWindow, List<String> stripPrefixes, int keepDigits, int vipPriority, int priority,
      Duration refresh, boolean acrossPbxs) {
    static Route from(Settings s) {
      Duration window = s.duration("route.sticky-window", Duration.ofHours(24));
      if (window.isNegative() || window.isZero()) throw new ConfigException("route.sticky-window", "must be positive, got " + window);
      List<String> strip = s.list("route.strip-prefixes", "");
      for (String p : strip) {
        if (!p.equals("+") && !p.chars().allMatch(Character::isDigit))
          throw new ConfigException("route.strip-prefixes", "each prefix must be digits or '+', got '" + p + "'");
      }
      Duration refresh = s.duration("route.refresh", Duration.ofSeconds(30));
      if (refresh.compareTo(Duration.ofSeconds(1)) < 0) throw new ConfigException("route.refresh", "must be at least 1s, got " + refresh);
      return new Route(window, strip, s.integer("route.keep-digits", 0, 0, 30),
          s.integer("route.vip-priority", 10, -1000, 1000), s.integer("route.priority", 0, -1000, 1000), refresh,
          s.bool("route.sticky-across-pbxs", false));
    }
  }

  /** {@code maxClockSkew}: how far this node's clock may be off the database's before start is refused. */
  public record Db(String url, String user, String password, int poolSize, Duration connectTimeout, Path embeddedDir,
      int embeddedPort, Duration maxClockSkew) {
    public static final int DEFAULT_POOL_SIZE = 10;

    static Db from(Settings s) {
      String url = s.raw("db.url");
      if (url != null && !url.startsWith("jdbc:mysql:") && !url.startsWith("jdbc:mariadb:"))
        throw new ConfigException("db.url", "must be a jdbc:mysql:// URL, got '" + Redact.secrets(url) + "'");
      return new Db(url, s.string("db.user", "postcall"), s.string("db.password", ""),
          s.integer("db.pool-size", DEFAULT_POOL_SIZE, 1, 200),
          s.duration("db.connect-timeout", Duration.ofSeconds(5)),
          s.path("db.embedded-dir", "var/db"), s.integer("db.embedded-port", 3307, 0, 65535),
          s.duration("db.max-clock-skew", Duration.ofSeconds(5)));
    }

    /** Embedded MariaDB when no URL is configured. */
    public boolean embedded() {
      return url == null;
    }

    @Override
    public String toString() {
      return "Db[url=" + Redact.secrets(url) + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "****")
          + ", poolSize=" + poolSize + "]";
    }
  }

  /**
   * The FastAGI listener. {@code allow} holds literal addresses or CIDR blocks ({@code 10.0.0.0/8});
   * {@code backlog} is the accept queue (a trunk dropping 400 calls at once must not overflow it);
   * {@code drainInterval} is how often spooled events are retried into the database.
   */
  public record Agi(InetAddress bind, int port, List<String> allow, Duration readTimeout,
      Duration persistBudget, Path spoolDir, int maxSessions, int backlog, Duration drainInterval,
      Duration sessionDeadline, String secret, String pbxId) {
    public static final Duration DEFAULT_PERSIST_BUDGET = Duration.ofMillis(50);
    public static final Duration DEFAULT_DRAIN_INTERVAL = Duration.ofSeconds(1);
    /** A real hangup session lasts milliseconds; a client still sending after this is not Asterisk. */
    public static final Duration DEFAULT_SESSION_DEADLINE = Duration.ofSeconds(5);
    /** Characters that pass unchanged through an AGI URL and an AGI argument (no ',', '&', '%'). */
    private static final java.util.regex.Pattern SECRET = java.util.regex.Pattern.compile("[A-Za-z0-9._~-]{16,256}");
    public static final int DEFAULT_BACKLOG = 1024;
    private static final java.util.regex.Pattern ALLOW_ENTRY =
        java.util.regex.Pattern.compile("[0-9A-Fa-f:.]+(/\\d{1,3})?");

    static Agi from(Settings s, Pbx pbx) {
      String bind = s.string("agi.bind", "127.0.0.1");
      InetAddress addr;
      try {
        addr = InetAddress.getByName(bind);
      } catch (UnknownHostException e) {
        throw new ConfigException("agi.bind", "not an address: '" + bind + "'");
      }
      List<String> allow = s.list("agi.allow", "127.0.0.1,::1");
      for (String a : allow) {
        // literal addresses only: a host name would make every accept() wait on DNS
        if (!ALLOW_ENTRY.matcher(a).matches())
          throw new ConfigException("agi.allow", "expected IP addresses or CIDR blocks, got '" + a + "'");
      }
      Duration readTimeout = s.duration("agi.read-timeout", Duration.ofSeconds(10));
      if (readTimeout.isZero()) throw new ConfigException("agi.read-timeout", "must be more than 0 (0 would wait forever on a half-open socket)");
      Duration budget = s.duration("agi.persist-budget", DEFAULT_PERSIST_BUDGET);
      if (budget.isZero() || budget.compareTo(Duration.ofSeconds(5)) > 0)
        throw new ConfigException("agi.persist-budget", "must be between 1ms and 5s (Asterisk waits for it), got " + budget.toMillis() + "ms");
      Duration drain = s.duration("agi.drain-interval", DEFAULT_DRAIN_INTERVAL);
      if (drain.isZero()) throw new ConfigException("agi.drain-interval", "must be more than 0");
      Duration deadline = s.duration("agi.session-deadline", DEFAULT_SESSION_DEADLINE);
      if (deadline.compareTo(Duration.ofMillis(100)) < 0 || deadline.compareTo(Duration.ofMinutes(10)) > 0)
        throw new ConfigException("agi.session-deadline", "must be between 100ms and 10m, got " + deadline.toMillis() + "ms");
      String secret = s.raw("agi.secret");
      // the value itself is never part of a message: it may sit in a shared log
      if (secret != null && !SECRET.matcher(secret).matches())
        throw new ConfigException("agi.secret", "must be 16 to 256 characters from A-Z a-z 0-9 . _ ~ - (it travels in the "
            + "dialplan's AGI URL or argument), got " + secret.length() + " characters");
      return new Agi(addr, s.integer("agi.port", 4573, 0, 65535), allow, readTimeout, budget,
          s.path("agi.spool-dir", "var/spool"),
          s.integer("agi.max-sessions", 2_000, 2, 100_000),
          s.integer("agi.backlog", DEFAULT_BACKLOG, 1, 65535), drain, deadline, secret, pbx.id());
    }

    @Override
    public String toString() {
      return "Agi[bind=" + bind.getHostAddress() + ", port=" + port + ", allow=" + allow + ", readTimeout=" + readTimeout
          + ", sessionDeadline=" + sessionDeadline + ", secret=" + (secret == null ? "" : "****") + ", maxSessions="
          + maxSessions + ", pbxId=" + pbxId + "]";
    }
  }

  /**
   * {@code unclosedWait}: how long a WAV whose header sizes were never filled in (Asterisk did not
   * close it — a crash) must stay unchanged before what it holds is converted; {@code missingWait}:
   * how long an answered call waits for a recording that never appears before it is delivered
   * without one; {@code maxBytes}: larger recordings are not converted (the call fails with that reason);
   * {@code byPbx}: the folder and pattern of each PBX that has its own ({@code
   * recordings.pbx.<id>.dir} and {@code .pattern}), for a worker that reads several PBXs' recordings
   * through their mounts — every other PBX's calls are in {@code dir} by {@code pattern}; {@code
   * byEnvName}: those of PBXs named only in the environment, by the variables' name for the id
   * ({@link RecordingFolders}).
   */
  public record Recordings(Path dir, String pattern, boolean procProbe, Duration quietPeriod,
      Duration openWait, Duration maxAge, long headerOnlyBytes, Duration unclosedWait,
      Duration missingWait, long maxBytes, Map<String, Folder> byPbx, Map<String, Folder> byEnvName) {
    /** Where one PBX's recordings are and how they are named. */
    public record Folder(Path dir, String pattern) {}

    public Recordings {
      byPbx = Map.copyOf(byPbx);
      byEnvName = Map.copyOf(byEnvName);
    }

    /** One folder for every PBX. */
    public Recordings(Path dir, String pattern, boolean procProbe, Duration quietPeriod, Duration openWait,
        Duration maxAge, long headerOnlyBytes, Duration unclosedWait, Duration missingWait, long maxBytes) {
      this(dir, pattern, procProbe, quietPeriod, openWait, maxAge, headerOnlyBytes, unclosedWait, missingWait, maxBytes,
          Map.of(), Map.of());
    }

    /** The folder and pattern of PBX {@code pbxId}'s recordings. */
    public Folder forPbx(String pbxId) {
      Folder own = own(pbxId);
      return own != null ? own : new Folder(dir, pattern);
    }

    /**
     * The folder PBX {@code pbxId} has of its own, null if none: by its id in the file, else by its
     * name in the environment ({@code POSTCALL_RECORDINGS_PBX_<ID>_DIR}).
     */
    public Folder own(String pbxId) {
      Folder f = byPbx.get(pbxId);
      return f != null ? f : byEnvName.get(RecordingFolders.envName(pbxId));
    }

    /** Every PBX's own folder, named as configured: the pbx id, or its environment name. */
    public Map<String, Folder> ownFolders() {
      Map<String, Folder> out = new TreeMap<>(byEnvName);
      out.putAll(byPbx);
      return out;
    }

    static Recordings from(Settings s) {
      String pattern = RecordingFolders.pattern("recordings.pattern", s.string("recordings.pattern", "${uniqueid}.wav"));
      Duration maxAge = s.duration("recordings.max-age", Duration.ofHours(6));
      Duration unclosed = s.duration("recordings.unclosed-wait", Duration.ofMinutes(10));
      Duration missing = s.duration("recordings.missing-wait", Duration.ofMinutes(5));
      if (unclosed.compareTo(maxAge) >= 0)
        throw new ConfigException("recordings.unclosed-wait", "must be shorter than recordings.max-age (" + maxAge + "), got " + unclosed);
      if (missing.compareTo(maxAge) >= 0)
        throw new ConfigException("recordings.missing-wait", "must be shorter than recordings.max-age (" + maxAge + "), got " + missing);
      RecordingFolders.Parsed own = RecordingFolders.from(s, pattern);
      return new Recordings(s.path("recordings.dir", "/var/spool/asterisk/monitor"), pattern,
          s.bool("recordings.proc-probe", true),
          s.duration("recordings.quiet-period", Duration.ofMillis(200)),
          s.duration("recordings.open-wait", Duration.ofSeconds(30)),
          maxAge,
          s.integer("recordings.header-only-bytes", 1024, 0, 1 << 20), unclosed, missing,
          s.bytes("recordings.max-bytes", 2L << 30), own.byId(), own.byEnvName());
    }
  }

  /** {@code conversions}: ffmpeg processes at once in this process (default: one per core). */
  /**
   * {@code ffmpegDir}: where the bundled ffmpeg is unpacked (a folder only postcall's user may
   * write); {@code minSpeed}: a conversion may take 30 s plus the audio's length divided by this,
   * then ffmpeg is killed.
   */
  public record Audio(Path ffmpeg, int bitrate, int channels, int niceLevel, int conversions, Path ffmpegDir,
      int minSpeed) {
    static Audio from(Settings s) {
      return new Audio(s.path("audio.ffmpeg", null), s.integer("audio.bitrate", 32_000, 8_000, 320_000),
          s.integer("audio.channels", 1, 1, 2), s.integer("audio.nice", 10, 0, 19),
          s.integer("audio.conversions", Runtime.getRuntime().availableProcessors(), 1, 256),
          s.path("audio.ffmpeg-dir", "var/ffmpeg"), s.integer("audio.min-speed", 10, 1, 10_000));
    }
  }

  /**
   * {@code threads}: deliveries at once. Twice the cores by default: a delivery spends about as
   * long waiting on the database, the incident system and the quiet period as converting, and
   * {@code audio.conversions} keeps ffmpeg itself to one process per core.
   */
  public record Worker(int threads, Duration lease, Duration pollInterval, int maxAttempts,
      Duration backoffBase, Duration backoffMax, Duration shutdownDeadline, Duration heartbeat) {
    static Worker from(Settings s) {
      Duration lease = s.duration("worker.lease", Duration.ofSeconds(30));
      Duration heartbeat = s.duration("worker.heartbeat", lease.dividedBy(3));
      // two heartbeats may be missed (a GC pause, a slow database) before the lease runs out
      if (heartbeat.isZero() || heartbeat.multipliedBy(2).compareTo(lease) >= 0)
        throw new ConfigException("worker.heartbeat", "must be more than 0 and less than half of worker.lease (" + lease
            + "), got " + heartbeat);
      return new Worker(s.integer("worker.threads", 2 * Runtime.getRuntime().availableProcessors(), 1, 256),
          lease,
          s.duration("worker.poll-interval", Duration.ofMillis(250)),
          s.integer("worker.max-attempts", 12, 1, 1000),
          s.duration("worker.backoff-base", Duration.ofSeconds(5)),
          s.duration("worker.backoff-max", Duration.ofMinutes(30)),
          s.duration("worker.shutdown-deadline", Duration.ofSeconds(30)),
          heartbeat);
    }
  }

  public record Archive(Path dir, boolean keepMp3, boolean deleteWav) {
    static Archive from(Settings s) {
      return new Archive(s.path("archive.dir", "var/archive"), s.bool("archive.keep-mp3", true),
          s.bool("archive.delete-wav", true));
    }
  }

  /**
   * The SOAP incident system. {@code timeFormat} is {@code iso} (ISO-8601 instant, UTC) or a
   * {@link java.time.format.DateTimeFormatter} pattern applied in {@code timeZone}; {@code parent}
   * is the objectref new call objects hang under (empty: none). {@code createSettle}: after a
   * create that was sent but not answered, how long the incident system is given to finish or drop
   * it before the call is looked up (and created, if absent) again; {@code reconcileAfter}: how long
   * after such a call's delivery it is looked up once more for a second object.
   */
  public record Incident(String url, String user, String password, Duration connectTimeout,
      Duration receiveTimeout, Path trustStore, String trustStorePassword, String process,
      String objectdef, String objectdefVersion, Map<String, String> attributes,
      List<String> transientFaults, String parent, String timeFormat, ZoneId timeZone,
      Duration createSettle, Duration reconcileAfter) {
    public static final String DEFAULT_TRANSIENT_FAULTS = "BUSY,INTERNAL,UNAVAILABLE";

    public Incident {
      if (createSettle.compareTo(receiveTimeout) < 0)
        throw new ConfigException("incident.create-settle", "must be at least incident.receive-timeout (" + receiveTimeout
            + "): the incident system needs longer than that to finish a request postcall stopped waiting for, got " + createSettle);
      if (reconcileAfter.isNegative())
        throw new ConfigException("incident.reconcile-after", "must not be negative, got " + reconcileAfter);
    }

    /**
     * The default settle time: three times what one request may take before the client gives up
     * (connect + receive), so a request the server held for as long again still finishes first.
     */
    public static Duration defaultCreateSettle(Duration connectTimeout, Duration receiveTimeout) {
      return connectTimeout.plus(receiveTimeout).multipliedBy(3);
    }

    /** The fields before the settle times existed: both derived from the timeouts. */
    public Incident(String url, String user, String password, Duration connectTimeout,
        Duration receiveTimeout, Path trustStore, String trustStorePassword, String process,
        String objectdef, String objectdefVersion, Map<String, String> attributes,
        List<String> transientFaults, String parent, String timeFormat, ZoneId timeZone) {
      this(url, user, password, connectTimeout, receiveTimeout, trustStore, trustStorePassword, process,
          objectdef, objectdefVersion, attributes, transientFaults, parent, timeFormat, timeZone,
          defaultCreateSettle(connectTimeout, receiveTimeout), defaultCreateSettle(connectTimeout, receiveTimeout).multipliedBy(2));
    }

    /** The fields before parent/time format existed: no parent, ISO-8601 times. */
    public Incident(String url, String user, String password, Duration connectTimeout,
        Duration receiveTimeout, Path trustStore, String trustStorePassword, String process,
        String objectdef, String objectdefVersion, Map<String, String> attributes,
        List<String> transientFaults) {
      this(url, user, password, connectTimeout, receiveTimeout, trustStore, trustStorePassword, process,
          objectdef, objectdefVersion, attributes, transientFaults, "", "iso", ZoneId.systemDefault());
    }

    static Incident from(Settings s) {
      Map<String, String> attrs = new TreeMap<>(Map.of(
          "caller", "caller_number", "called", "called_number", "start", "start_time",
          "duration", "duration", "status", "status", "uniqueid", "uniqueid", "file", "recording", "pbx", "pbx_id"));
      s.section("incident.attr").forEach((key, v) -> {
        String k = key.toLowerCase(Locale.ROOT); // POSTCALL_INCIDENT_ATTR_PBX arrives as PBX
        if (!attrs.containsKey(k)) throw new ConfigException("incident.attr." + k, "unknown attribute (known: " + attrs.keySet() + ")");
        attrs.put(k, v);
      });
      String url = s.string("incident.url", "http://127.0.0.1:8090/incident");
      if (!url.startsWith("http://") && !url.startsWith("https://"))
        throw new ConfigException("incident.url", "must be an http:// or https:// URL, got '" + Redact.secrets(url) + "'");
      String timeFormat = s.string("incident.time-format", "iso");
      if (!timeFormat.equals("iso")) {
        try {
          java.time.format.DateTimeFormatter.ofPattern(timeFormat);
        } catch (IllegalArgumentException e) {
          throw new ConfigException("incident.time-format", "not 'iso' nor a date-time pattern: " + e.getMessage());
        }
      }
      Duration connect = s.duration("incident.connect-timeout", Duration.ofSeconds(10));
      Duration receive = s.duration("incident.receive-timeout", Duration.ofSeconds(60));
      Duration settle = s.duration("incident.create-settle", defaultCreateSettle(connect, receive));
      return new Incident(url,
          s.string("incident.user", "postcall"), s.string("incident.password", ""),
          connect, receive,
          s.path("incident.truststore", null), s.string("incident.truststore-password", ""),
          s.string("incident.process", "telephony"), s.string("incident.objectdef", "call"),
          s.string("incident.objectdef-version", "1"), Map.copyOf(attrs),
          s.list("incident.transient-faults", DEFAULT_TRANSIENT_FAULTS),
          s.string("incident.parent", ""), timeFormat,
          s.zone("incident.time-zone", ZoneId.systemDefault()),
          settle, s.duration("incident.reconcile-after", settle.multipliedBy(2)));
    }

    @Override
    public String toString() {
      return "Incident[url=" + Redact.secrets(url) + ", user=" + user + ", password=****, process=" + process
          + ", objectdef=" + objectdef + ", connectTimeout=" + connectTimeout + ", receiveTimeout="
          + receiveTimeout + ", createSettle=" + createSettle + ", reconcileAfter=" + reconcileAfter
          + ", transientFaults=" + transientFaults + "]";
    }
  }

  /**
   * Master.csv backfill. {@code columns}: auto | 16..21 | names such as uniqueid+userfield
   * (checked by the cdr package's CsvLayout); {@code zone}: the zone of Master.csv's times (UTC with
   * {@code csv.usegmtime=true}, else {@code cdr.timezone}); {@code pbxZone}: the PBX's own zone
   * ({@code cdr.timezone}), which {@code CDR(start)} read over AGI is in whatever usegmtime says;
   * {@code batchSize}: lines per transaction; {@code startAtEnd}: a Master.csv first seen with
   * content is tailed from its end (its history is for {@code postcall backfill}); {@code hold}: how
   * long a call that came over AGI waits for the tailer to merge its Master.csv rows before its
   * delivery starts (released at once when they are merged; 0 = no wait); {@code agiHold}: how long a
   * call the tailer stores before its FastAGI hangup reached the database waits for that hangup (it
   * names the number dialled first, the agent and the recordings; released when it arrives; 0 = no
   * wait); {@code pbxId}: the PBX
   * whose Master.csv this node reads ({@code pbx.id}) — every call imported from it is that PBX's.
   */
  public record Csv(List<Path> files, String columns, ZoneId zone, List<String> contexts,
      List<String> excludeChannels, List<String> excludeApps, Duration tailInterval, String sweepCron,
      int batchSize, ZoneId pbxZone, boolean startAtEnd, Duration hold, Duration agiHold, String pbxId) {
    /** Master.csv and the PBX in one zone; a first-seen file read from its start (tests of the tailer). */
    public Csv(List<Path> files, String columns, ZoneId zone, List<String> contexts, List<String> excludeChannels,
        List<String> excludeApps, Duration tailInterval, String sweepCron, int batchSize) {
      this(files, columns, zone, contexts, excludeChannels, excludeApps, tailInterval, sweepCron, batchSize, zone, false,
          Duration.ZERO);
    }

    /** The PBX of an unset pbx.id (the host name). */
    public Csv(List<Path> files, String columns, ZoneId zone, List<String> contexts, List<String> excludeChannels,
        List<String> excludeApps, Duration tailInterval, String sweepCron, int batchSize, ZoneId pbxZone,
        boolean startAtEnd, Duration hold) {
      this(files, columns, zone, contexts, excludeChannels, excludeApps, tailInterval, sweepCron, batchSize, pbxZone,
          startAtEnd, hold, Duration.ZERO, Pbx.defaultId());
    }

    /** The same settings for the Master.csv of PBX {@code id}. */
    public Csv forPbx(String id) {
      return new Csv(files, columns, zone, contexts, excludeChannels, excludeApps, tailInterval, sweepCron, batchSize,
          pbxZone, startAtEnd, hold, agiHold, id);
    }

    public static final Duration DEFAULT_TAIL_INTERVAL = Duration.ofSeconds(10);
    public static final String DEFAULT_SWEEP_CRON = "0 30 2 * * ?";

    public Csv {
      if (tailInterval.toMillis() < 100)
        throw new ConfigException("csv.tail-interval", "must be at least 100ms, got " + tailInterval);
      if (!org.quartz.CronExpression.isValidExpression(sweepCron))
        throw new ConfigException("csv.sweep-cron", "not a Quartz cron expression (sec min hour day month weekday): '" + sweepCron + "'");
    }

    static Csv from(Settings s, Pbx node) {
      ZoneId pbx = s.zone("cdr.timezone", ZoneId.systemDefault());
      String startAt = s.string("csv.start-at", "end");
      if (!startAt.equals("end") && !startAt.equals("start"))
        throw new ConfigException("csv.start-at", "must be end or start, got '" + startAt + "'");
      return new Csv(s.list("csv.files", "/var/log/asterisk/cdr-csv/Master.csv").stream().map(Path::of).toList(),
          s.string("csv.columns", "auto"), s.bool("csv.usegmtime", false) ? ZoneOffset.UTC : pbx,
          s.list("csv.contexts", ""), s.list("csv.exclude-channels", "Local/*;1"),
          s.list("csv.exclude-apps", "AppDial,AppDial2"),
          s.duration("csv.tail-interval", DEFAULT_TAIL_INTERVAL),
          s.string("csv.sweep-cron", DEFAULT_SWEEP_CRON),
          s.integer("csv.batch-size", 5000, 1, 100_000), pbx, startAt.equals("end"),
          s.duration("csv.hold", s.duration("csv.tail-interval", DEFAULT_TAIL_INTERVAL).plusSeconds(5)),
          s.duration("csv.agi-hold", s.duration("agi.drain-interval", Agi.DEFAULT_DRAIN_INTERVAL).multipliedBy(2)),
          node.id());
    }
  }

  /**
   * Which PBX this node serves ({@code pbx.id}) and where that id came from. Unset on a PBX node
   * (agi or tailer role), it is Asterisk's {@code systemname} from {@code pbx.asterisk-conf}, else
   * the host name; {@code note} then says why there was no systemname. A worker-only node serves
   * every PBX and reads no asterisk.conf. {@link #explicit()}: chosen by an admin (pbx.id or
   * systemname), as required once a second PBX feeds the same database.
   */
  public record Pbx(String id, Origin origin, String note) {
    static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public enum Origin { SETTING, SYSTEMNAME, HOST_NAME }

    /** Set ({@code explicit}) or the host name, without a note. */
    public Pbx(String id, boolean explicit) {
      this(id, explicit ? Origin.SETTING : Origin.HOST_NAME, "");
    }

    public boolean explicit() {
      return origin != Origin.HOST_NAME;
    }

    static Pbx from(Settings s, Set<Role> roles) {
      String set = s.raw("pbx.id");
      Path conf = s.path("pbx.asterisk-conf", AsteriskSystemname.DEFAULT_CONF);
      if (set != null) {
        String id = set.strip();
        if (!ID.matcher(id).matches())
          throw new ConfigException("pbx.id", "letters, digits, '.', '_' and '-' only, at most 64, got '" + set + "'");
        return new Pbx(id, Origin.SETTING, "");
      }
      String why = "";
      if (roles.contains(Role.AGI) || roles.contains(Role.TAILER)) {
        AsteriskSystemname.Lookup name = AsteriskSystemname.read(conf);
        if (name.name() != null && ID.matcher(name.name()).matches())
          return new Pbx(name.name(), Origin.SYSTEMNAME, "systemname in " + conf);
        why = name.name() != null
            ? "systemname '" + name.name() + "' in " + conf + " is no pbx id (letters, digits, '.', '_' and '-', at most 64)"
            : name.problem();
      }
      String host = defaultId();
      if (!ID.matcher(host).matches())
        throw new ConfigException("pbx.id", "the host name '" + host + "' is no usable default"
            + (why.isEmpty() ? "" : " (and " + why + ")") + ": set pbx.id");
      return new Pbx(host, Origin.HOST_NAME, why);
    }

    /** The host name up to its first dot: the last default of pbx.id. */
    public static String defaultId() {
      try {
        String host = InetAddress.getLocalHost().getHostName();
        int dot = host.indexOf('.');
        return dot > 0 ? host.substring(0, dot) : host;
      } catch (UnknownHostException e) {
        return "localhost";
      }
    }
  }

  /**
   * The admin web. {@code adminToken}: empty disables the login, else at least {@link
   * #MIN_TOKEN_LENGTH} characters (a short token falls to guessing even with the login backoff).
   * {@code readyInterval}/{@code readyTimeout}: how often {@code /ready}'s checks run in the
   * background, and how long one may take before it counts as down. {@code queueGauges}: whether
   * this node's /metrics carries the database-wide job gauges ({@code postcall_jobs}, oldest
   * pending) — every node reads the same numbers, so with several web nodes exactly one should, or
   * a sum across instances counts each job twice.
   */
  public record Web(InetAddress bind, int port, String adminToken, Duration readyInterval, Duration readyTimeout,
      boolean queueGauges) {
    public static final int MIN_TOKEN_LENGTH = 16;

    public Web(InetAddress bind, int port, String adminToken) {
      this(bind, port, adminToken, Duration.ofSeconds(10), Duration.ofSeconds(5), true);
    }

    static Web from(Settings s) {
      String bind = s.string("web.bind", "127.0.0.1");
      InetAddress addr;
      try {
        addr = InetAddress.getByName(bind);
      } catch (UnknownHostException e) {
        throw new ConfigException("web.bind", "not an address: '" + bind + "'");
      }
      String token = s.string("web.admin-token", "");
      if (!token.isEmpty() && token.length() < MIN_TOKEN_LENGTH)
        throw new ConfigException("web.admin-token", "too short: at least " + MIN_TOKEN_LENGTH + " characters (it has "
            + token.length() + "); for example: openssl rand -base64 32");
      Duration interval = s.duration("web.ready-interval", Duration.ofSeconds(10));
      if (interval.isZero()) throw new ConfigException("web.ready-interval", "must be more than 0");
      Duration timeout = s.duration("web.ready-timeout", Duration.ofSeconds(5));
      if (timeout.isZero()) throw new ConfigException("web.ready-timeout", "must be more than 0");
      return new Web(addr, s.integer("web.port", 8080, 0, 65535), token, interval, timeout, s.bool("web.queue-gauges", true));
    }

    @Override
    public String toString() {
      return "Web[bind=" + bind.getHostAddress() + ", port=" + port + ", adminToken=****, queueGauges=" + queueGauges + "]";
    }
  }
}
