package dev.postcall.sim;

import dev.postcall.DaemonThreads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates calls like a real Asterisk with MixMonitor and cdr_csv: each call records a growing WAV
 * while it lasts, hangs up, runs the {@code h} extension's FastAGI session (the recording is still
 * open during it and closed a few ms after), then appends its rows to Master.csv.
 */
public final class CallSimulator {
  private static final Logger log = LoggerFactory.getLogger(CallSimulator.class);
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final String[] NAMES = {"Rig Caller", "Jürgen Müller", "O'Brien, \"Pat\"", "Zoë | Support", "李小龙", ""};

  /** A call's outcome: the DIALSTATUS Asterisk sets, what CDR(disposition) reads inside h, and the Dial row's disposition. */
  public enum Outcome {
    ANSWERED("ANSWER", "ANSWERED", "ANSWERED"),
    BUSY("BUSY", "FAILED", "BUSY"),
    NOANSWER("NOANSWER", "FAILED", "NO ANSWER"),
    CONGESTION("CONGESTION", "FAILED", "CONGESTION"),
    CHANUNAVAIL("CHANUNAVAIL", "FAILED", "FAILED"),
    CANCEL("CANCEL", "NO ANSWER", "NO ANSWER");

    public final String dialStatus;
    final String dispositionInH;
    final String dialRowDisposition;

    Outcome(String dialStatus, String dispositionInH, String dialRowDisposition) {
      this.dialStatus = dialStatus;
      this.dispositionInH = dispositionInH;
      this.dialRowDisposition = dialRowDisposition;
    }
  }

  public record Options(int calls, double ratePerSecond, int concurrency, Map<Outcome, Integer> outcomes,
      int skipAgiPercent, int rotateEvery, double durationScale, Duration meanDuration, Path recordingsDir,
      Path masterCsv, InetSocketAddress agi, ZoneId zone, long seed, boolean instantAudio) {
    // instantAudio is the benchmarks' mode: no ringing, every answered call exactly meanDuration ×
    // durationScale of audio, written as fast as the disk allows (3-minute recordings without
    // waiting 3 minutes each).
  }

  /** One simulated call and what happened to its AGI session. */
  public record SimulatedCall(String uniqueid, Outcome outcome, String callerNumber, boolean viaAgi, boolean agiCompleted,
      long agiMicros, double audioSeconds, Instant hungUpAt, double toneHz) {}

  private final Options o;
  private final CdrCsvWriter csv;
  private final Random random;
  /**
   * Asterisk's uniqueid is {@code <epoch at start>.<channel counter>}, the counter running for the
   * life of the process: simulators started one after another in one JVM must not reuse ids.
   */
  private static final long BASE = System.currentTimeMillis() / 1000;
  private static final AtomicInteger SEQ = new AtomicInteger();
  private final AtomicInteger ended = new AtomicInteger();
  private final AtomicInteger placed = new AtomicInteger();
  /** A PBX of its own ({@link #uniqueids}): its systemname, the epoch of its uniqueids and its own channel counter. */
  private volatile String systemname;
  private volatile long epoch;
  private final AtomicInteger ownSeq = new AtomicInteger();
  private volatile boolean ownUniqueids;
  private volatile java.util.function.IntToDoubleFunction tone = n -> 440;

  public CallSimulator(Options options) {
    this.o = options;
    this.csv = new CdrCsvWriter(options.masterCsv(), options.zone());
    this.random = new Random(options.seed());
  }

  /**
   * Uniqueids of a PBX of its own: {@code [systemname-]epoch.sequence} with this simulator's own
   * counter from 0 — several simulators given the same epoch and no systemname produce the same
   * uniqueids, as Asterisk servers without {@code systemname} do.
   */
  public CallSimulator uniqueids(String systemname, long epoch) {
    this.systemname = systemname == null || systemname.isEmpty() ? null : systemname;
    this.epoch = epoch;
    this.ownUniqueids = true;
    return this;
  }

  /** The tone of the n-th call's recording (0-based): a harness tells the delivered recordings apart by it. */
  public CallSimulator tones(java.util.function.IntToDoubleFunction hzOfCall) {
    this.tone = hzOfCall;
    return this;
  }

  /** The Master.csv writer (a harness rotates it with {@link CdrCsvWriter#copyTruncate()} while calls are written). */
  public CdrCsvWriter csv() {
    return csv;
  }

  /** Calls started so far (ringing, talking or ended); for a progress line while {@link #run()} goes on. */
  public int placed() {
    return placed.get();
  }

  /** Runs all calls (arrivals at the given rate, at most {@code concurrency} at once) and returns them. */
  public List<SimulatedCall> run() throws InterruptedException, IOException {
    Files.createDirectories(o.recordingsDir());
    Files.createDirectories(o.masterCsv().toAbsolutePath().getParent());
    List<SimulatedCall> results = Collections.synchronizedList(new ArrayList<>());
    Semaphore slots = new Semaphore(o.concurrency());
    ExecutorService pool = Executors.newFixedThreadPool(o.concurrency(), DaemonThreads.factory("sim-call"));
    long intervalNanos = (long) (1e9 / o.ratePerSecond());
    long next = System.nanoTime();
    for (int i = 0; i < o.calls(); i++) {
      long wait = next - System.nanoTime();
      if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
      next += intervalNanos;
      slots.acquire();
      Plan plan = plan();
      placed.incrementAndGet();
      pool.execute(() -> {
        try {
          results.add(call(plan));
        } catch (Exception e) {
          log.warn("simulated call {} broke: {}", plan.uniqueid, e.toString());
        } finally {
          slots.release();
        }
      });
    }
    pool.shutdown();
    pool.awaitTermination(1, TimeUnit.HOURS);
    return List.copyOf(results);
  }

  private record Plan(String uniqueid, String calleeUniqueid, Outcome outcome, String caller, String name, String exten,
      double ringSeconds, double talkSeconds, boolean skipAgi, long seed, double hz, boolean instant) {}

  /**
   * One answered call with {@code audioSeconds} of recording written at disk speed (a long call
   * that has just ended), its AGI session and its Master.csv rows; returns when it has hung up.
   */
  public SimulatedCall placeLong(double audioSeconds) throws IOException, InterruptedException {
    Files.createDirectories(o.recordingsDir());
    Files.createDirectories(o.masterCsv().toAbsolutePath().getParent());
    Plan p;
    synchronized (this) {
      int n = ownUniqueids ? ownSeq.getAndIncrement() : SEQ.getAndIncrement();
      p = new Plan(uniqueid(n, 0), uniqueid(n, 1), Outcome.ANSWERED, "0301234" + (1000 + random.nextInt(9000)),
          NAMES[random.nextInt(NAMES.length)], String.valueOf(200 + random.nextInt(50)), 0, audioSeconds, false,
          random.nextLong(), tone.applyAsDouble(n), true);
    }
    placed.incrementAndGet();
    return call(p);
  }

  private String uniqueid(int n, int leg) {
    if (!ownUniqueids) return BASE + "." + (2 * n + leg);
    return (systemname == null ? "" : systemname + "-") + epoch + "." + (2 * n + leg);
  }

  private synchronized Plan plan() {
    int n = ownUniqueids ? ownSeq.getAndIncrement() : SEQ.getAndIncrement();
    Outcome outcome = pick();
    double mean = o.meanDuration().toMillis() / 1000.0 * o.durationScale();
    double exp = -Math.log(1 - random.nextDouble()) * mean;
    double talk = outcome != Outcome.ANSWERED ? 0 : o.instantAudio() ? mean : Math.max(0.2, exp);
    double ring = o.instantAudio() ? 0 : (1 + random.nextDouble() * 4) * Math.min(1, o.durationScale() * 10);
    return new Plan(uniqueid(n, 0), uniqueid(n, 1), outcome, "0301234" + (1000 + random.nextInt(9000)),
        NAMES[random.nextInt(NAMES.length)], String.valueOf(200 + random.nextInt(50)), ring, talk,
        random.nextInt(100) < o.skipAgiPercent(), random.nextLong(), tone.applyAsDouble(n), o.instantAudio());
  }

  private Outcome pick() {
    int total = o.outcomes().values().stream().mapToInt(Integer::intValue).sum();
    int r = random.nextInt(Math.max(1, total));
    for (Map.Entry<Outcome, Integer> e : o.outcomes().entrySet()) {
      r -= e.getValue();
      if (r < 0) return e.getKey();
    }
    return Outcome.ANSWERED;
  }

  private SimulatedCall call(Plan p) throws IOException, InterruptedException {
    Path wav = o.recordingsDir().resolve(p.uniqueid + ".wav");
    Instant start = Instant.now();
    Instant answer = null;
    GrowingRecording rec = new GrowingRecording(wav, p.seed, p.hz);
    sleepSeconds(p.ringSeconds);
    if (p.outcome == Outcome.ANSWERED) {
      answer = Instant.now();
      double left = p.talkSeconds;
      while (left > 0) { // MixMonitor writes as the call goes on
        double chunk = p.instant ? Math.min(60, left) : Math.min(0.2, left);
        rec.append(chunk);
        if (!p.instant) sleepSeconds(chunk);
        left -= chunk;
      }
    }
    Instant end = Instant.now();
    Instant hungUpAt = Instant.now();
    Map<String, String> vars = variables(p, wav, start, answer, end);
    FakeAsterisk.Session session = null;
    if (!p.skipAgi) {
      Map<String, String> env = FakeAsterisk.environment(o.agi().getHostString(), o.agi().getPort(), "hangup",
          vars.get("CDR(channel)"), p.uniqueid, p.caller, p.name, "incoming", p.exten);
      session = FakeAsterisk.run(o.agi(), env, vars, 10_000);
    }
    // Asterisk closes the recording ~1–8 ms after the AGI socket closed, then cdr_csv writes.
    Thread.sleep(1 + random(7));
    double seconds = rec.seconds();
    rec.close();
    csv.append(rows(p, start, answer, end));
    int done = ended.incrementAndGet();
    if (o.rotateEvery() > 0 && done % o.rotateEvery() == 0) csv.rotate();
    return new SimulatedCall(p.uniqueid, p.outcome, p.caller, !p.skipAgi, session != null && session.completed(),
        session == null ? 0 : session.micros(), seconds, hungUpAt, p.hz);
  }

  private synchronized int random(int bound) {
    return random.nextInt(bound);
  }

  private Map<String, String> variables(Plan p, Path wav, Instant start, Instant answer, Instant end) {
    long duration = Duration.between(start, end).toSeconds();
    long billsec = answer == null ? 0 : Duration.between(answer, end).toSeconds();
    String channel = "PJSIP/trunk-" + String.format("%08x", p.uniqueid.hashCode());
    Map<String, String> v = new HashMap<>();
    v.put("DIALSTATUS", p.outcome.dialStatus);
    v.put("CDR(start)", fmt(start));
    v.put("CDR(answer)", fmt(answer));
    v.put("CDR(end)", fmt(end));
    v.put("CDR(duration)", String.valueOf(duration));
    v.put("CDR(billsec)", String.valueOf(billsec));
    v.put("CDR(disposition)", p.outcome.dispositionInH);
    v.put("CDR(userfield)", "sim-" + p.uniqueid);
    v.put("CDR(uniqueid)", p.uniqueid);
    v.put("CDR(linkedid)", p.uniqueid);
    v.put("CDR(src)", p.caller);
    v.put("CDR(dst)", p.exten);
    v.put("CDR(dcontext)", "incoming");
    v.put("CDR(clid)", "\"" + p.name + "\" <" + p.caller + ">");
    v.put("CDR(channel)", channel);
    v.put("CDR(dstchannel)", p.outcome == Outcome.CHANUNAVAIL ? "" : dstChannel(p));
    v.put("CDR(lastapp)", "Dial");
    v.put("CDR(lastdata)", "PJSIP/agent" + p.exten + ",20");
    v.put("CDR(amaflags)", "DOCUMENTATION");
    v.put("CDR(accountcode)", "");
    v.put("UNIQUEID", p.uniqueid);
    v.put("MIXMONITOR_FILENAME", wav.toAbsolutePath().toString());
    v.put("HANGUPCAUSE", "16");
    v.put("CHANNEL(name)", channel);
    v.put("CHANNEL(linkedid)", p.uniqueid);
    v.put("CHANNEL(uniqueid)", p.uniqueid);
    v.put("EPOCH", String.valueOf(end.getEpochSecond()));
    return v;
  }

  private List<CdrCsvWriter.Row> rows(Plan p, Instant start, Instant answer, Instant end) {
    Map<String, String> v = variables(p, Path.of(""), start, answer, end);
    long duration = Long.parseLong(v.get("CDR(duration)"));
    long billsec = Long.parseLong(v.get("CDR(billsec)"));
    String clid = v.get("CDR(clid)");
    List<CdrCsvWriter.Row> rows = new ArrayList<>();
    if (p.outcome == Outcome.ANSWERED) {
      // the callee leg: its own uniqueid, its own context — not a call of its own
      rows.add(new CdrCsvWriter.Row("", p.caller, p.exten, "agents", clid, dstChannel(p), "", "AppDial", "(Outgoing Line)",
          start, answer, end, duration, billsec, "ANSWERED", "DOCUMENTATION", p.calleeUniqueid, ""));
    }
    rows.add(new CdrCsvWriter.Row("", p.caller, p.exten, "incoming", clid, v.get("CDR(channel)"), v.get("CDR(dstchannel)"),
        "Dial", v.get("CDR(lastdata)"), start, answer, end, duration, billsec, p.outcome.dialRowDisposition, "DOCUMENTATION",
        p.uniqueid, "sim-" + p.uniqueid));
    if (p.outcome == Outcome.BUSY || p.outcome == Outcome.NOANSWER || p.outcome == Outcome.CONGESTION) {
      // after a failed Dial the dialplan's Hangup() writes a second row for the same uniqueid
      rows.add(new CdrCsvWriter.Row("", p.caller, p.exten, "incoming", clid, v.get("CDR(channel)"), "", "Hangup", "",
          start, null, end, duration, 0, "FAILED", "DOCUMENTATION", p.uniqueid, "sim-" + p.uniqueid));
    }
    return rows;
  }

  private static String dstChannel(Plan p) {
    return "PJSIP/agent" + p.exten + "-" + String.format("%08x", p.calleeUniqueid.hashCode());
  }

  private String fmt(Instant t) {
    return t == null ? "" : TIME.format(LocalDateTime.ofInstant(t, o.zone()));
  }

  private static void sleepSeconds(double s) throws InterruptedException {
    long ms = Math.round(s * 1000);
    if (ms > 0) Thread.sleep(ms);
  }

  /** Parses {@code answered=70,busy=10,...} into an ordered map. */
  public static Map<Outcome, Integer> parseOutcomes(String spec) {
    Map<Outcome, Integer> m = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      String[] kv = part.trim().split("=");
      if (kv.length != 2) throw new IllegalArgumentException("--outcomes: expected name=percent, got '" + part + "'");
      try {
        m.put(Outcome.valueOf(kv[0].trim().toUpperCase(java.util.Locale.ROOT)), Integer.parseInt(kv[1].trim()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--outcomes: unknown outcome or number in '" + part
            + "' (known: answered, busy, noanswer, congestion, chanunavail, cancel)");
      }
    }
    return m;
  }
}
