package dev.postcall.agi;

import dev.postcall.DaemonThreads;
import dev.postcall.config.ConfigException;
import dev.postcall.config.PostcallConfig;
import dev.postcall.queue.CallConflict;
import dev.postcall.queue.CallStore;
import dev.postcall.route.RouteIndex;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * postcall's capture role: the FastAGI server with the {@code hangup} script, the database writer,
 * the spool and its drainer. {@link #start()} binds {@code agi.bind:agi.port}; {@link #close()}
 * stops the listener, lets running sessions end, then flushes what is queued.
 *
 * <p>Metrics: {@code postcall.agi.sessions} (counter, tag {@code outcome}: accepted — on disk in
 * the spool, on its way to the database; stored / duplicate — the spool was not writable and the
 * database answered in time; not_stored; no_uniqueid, unknown_script, no_script, no_secret, timeout, deadline,
 * evicted, io_error, no_request, refused, over_limit, too_much_data — see {@link SessionOutcome}), {@code postcall.agi.session} (timer accept → close, histogram) and
 * {@code postcall.agi.spool.events} (gauge: events not yet confirmed in the database) and
 * {@code postcall.agi.conflicts} (counter, tag {@code kind}: hangups kept aside in call_conflicts).
 */
public final class AgiService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgiService.class);
  /**
   * Database writer threads. One: no session waits for it, and while its commit is in flight the
   * next batch gathers — bigger batches, fewer commits, less CPU taken from the sessions.
   */
  private static final int WRITERS = 1;

  private final PostcallConfig.Agi cfg;
  private final Spool spool;
  private final CaptureWriter writer;
  private final SpoolDrainer drainer;
  private final HangupCallBuilder builder;
  private CaptureLoop server;
  private final MeterRegistry registry;
  private final Timer sessionTimer;
  private final Map<SessionOutcome, Counter> outcomes = new EnumMap<>(SessionOutcome.class);
  private final Map<CallConflict.Kind, Counter> conflicts = new EnumMap<>(CallConflict.Kind.class);
  private final ScheduledExecutorService drainLoop =
      Executors.newSingleThreadScheduledExecutor(r -> DaemonThreads.create("agi-spool-drainer", r));
  private final RouteIndex route;
  private final Counter duplicates;
  private volatile int localPort = -1;

  /** Without routing: the {@code route} script answers empty. */
  public AgiService(PostcallConfig.Agi cfg, ZoneId cdrZone, CallStore store, Clock clock, MeterRegistry registry) {
    this(cfg, cdrZone, store, clock, registry, new dev.postcall.cdr.CdrNotices(), RouteIndex.disabled());
  }

  /** @param notices where a PBX zone other than {@code cdrZone} is reported (once) */
  public AgiService(PostcallConfig.Agi cfg, ZoneId cdrZone, CallStore store, Clock clock, MeterRegistry registry,
      dev.postcall.cdr.CdrNotices notices) {
    this(cfg, cdrZone, store, clock, registry, notices, RouteIndex.disabled());
  }

  /** {@code route} answers the {@code route} script and learns from every answered call captured. */
  public AgiService(PostcallConfig.Agi cfg, ZoneId cdrZone, CallStore store, Clock clock, MeterRegistry registry,
      RouteIndex route) {
    this(cfg, cdrZone, store, clock, registry, new dev.postcall.cdr.CdrNotices(), route);
  }

  /** With both: PBX zone notices and the route index. */
  public AgiService(PostcallConfig.Agi cfg, ZoneId cdrZone, CallStore store, Clock clock, MeterRegistry registry,
      dev.postcall.cdr.CdrNotices notices, RouteIndex route) {
    this.cfg = cfg;
    this.route = route;
    this.registry = registry;
    try {
      this.spool = new Spool(cfg.spoolDir(), clock, cfg.pbxId());
    } catch (Spool.InUseException e) {
      throw new ConfigException("agi.spool-dir", e.getMessage() + ": give every postcall process its own agi.spool-dir");
    } catch (IOException e) {
      throw new UncheckedIOException("agi.spool-dir " + cfg.spoolDir() + " is not usable: " + e.getMessage(), e);
    }
    this.writer = new CaptureWriter(store, spool, cfg.persistBudget(), WRITERS);
    this.drainer = new SpoolDrainer(spool, store, writer);
    this.sessionTimer = Timer.builder("postcall.agi.session").description("FastAGI session, accept to close")
        .publishPercentileHistogram().register(registry);
    Gauge.builder("postcall.agi.spool.events", spool, Spool::size)
        .description("hangup events waiting in the spool for the database").register(registry);
    this.builder = new HangupCallBuilder(cdrZone, notices, cfg.pbxId());
    this.duplicates = Counter.builder("postcall.agi.duplicates")
        .description("hangups for a call already stored with the same values (the dialplan ran postcall twice, or a"
            + " spooled event replayed after it had been written): nothing added").register(registry);
    store.onDuplicate(c -> duplicates.increment());
    for (CallConflict.Kind k : CallConflict.Kind.values())
      conflicts.put(k, Counter.builder("postcall.agi.conflicts").tag("kind", k.name().toLowerCase(java.util.Locale.ROOT))
          .description("hangups not merged into the call stored under their uniqueid (kept in call_conflicts)")
          .register(registry));
    store.onConflict(this::conflict);
    // every outcome from the start, at 0: an alert on refused or evicted connections needs the series
    for (SessionOutcome o : SessionOutcome.values())
      outcomes.put(o, Counter.builder("postcall.agi.sessions").tag("outcome", o.tag())
          .description("FastAGI sessions by outcome").register(registry));
  }

  /**
   * Runs after every session that stored a new call — the service wakes its worker pool with it,
   * so a call's delivery starts the moment its session ends instead of at the next poll.
   */
  public void afterStored(Runnable listener) {
    writer.afterStored(listener);
  }

  private void sessionEnded(SessionOutcome outcome, long nanos) {
    outcomes.get(outcome).increment();
    if (nanos > 0) sessionTimer.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A conflict the store has just recorded (once per distinct event): counted, and one WARN line. */
  private void conflict(CallConflict c) {
    conflicts.get(c.kind()).increment();
    String uid = Text.printable(c.uniqueid());
    String pbx = Text.printable(c.rejected().pbxId());
    switch (c.kind()) {
      case HANGUP_DIFFERS -> log.warn("call {}: a second hangup disagrees with the stored call on {} (forged or misrouted?) "
          + "— kept the first; both versions are in call_conflicts (postcall conflicts; pbx {})", uid,
          String.join(", ", c.fields()), pbx);
      case RECORDING_OF_ANOTHER_CALL -> log.warn("call {}: its recording {} is named after another call (recordings.pattern) "
          + "— stored without it; see postcall conflicts (pbx {})", uid, Text.printable(c.rejected().recording()), pbx);
      case RECORDING_CLAIMED -> log.warn("call {}: its recording {} is already call {}'s — stored without it; see postcall "
          + "conflicts (pbx {})", uid, Text.printable(c.rejected().recording()),
          c.kept() == null ? "?" : Text.printable(c.kept().uniqueid()), pbx);
    }
  }

  /** Binds the port and starts serving; throws if the port cannot be bound. */
  public void start() throws IOException {
    writer.start();
    try {
      server = new CaptureLoop(new InetSocketAddress(cfg.bind(), cfg.port()), cfg.backlog(),
          (int) Math.min(Integer.MAX_VALUE, cfg.readTimeout().toMillis()), cfg.sessionDeadline().toMillis(),
          new AddressAllowlist(cfg.allow()), cfg.maxSessions(), new AgiSecret(cfg.secret()), builder, writer,
          this::sessionEnded, route);
    } catch (IOException e) {
      writer.close();
      throw new IOException("agi.bind/agi.port " + cfg.bind().getHostAddress() + ":" + cfg.port()
          + " cannot be bound: " + e.getMessage(), e);
    }
    localPort = server.localPort();
    long every = cfg.drainInterval().toMillis();
    drainLoop.scheduleWithFixedDelay(() -> drainer.drainOnce(false), 0, every, TimeUnit.MILLISECONDS);
    log.info("FastAGI listening on {}:{} (allow {}, secret {}, read timeout {} ms, session deadline {} ms, persist budget "
        + "if the spool fails {} ms, spool {}, max {} sessions)", cfg.bind().getHostAddress(), localPort, cfg.allow(),
        cfg.secret() == null ? "not required" : "required", cfg.readTimeout().toMillis(), cfg.sessionDeadline().toMillis(),
        cfg.persistBudget().toMillis(), cfg.spoolDir(), cfg.maxSessions());
  }

  /** The bound port (useful with {@code agi.port=0}); -1 before {@link #start()}. */
  public int localPort() {
    return localPort;
  }

  /**
   * Lets the writer finish what is queued, then re-inserts every spool line still unconfirmed;
   * returns how many were re-inserted. (The background loop does the same every
   * {@code agi.drain-interval}, giving the writer that long.)
   */
  public int drainOnce() {
    try {
      writer.awaitIdle(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return drainer.drainOnce(true);
  }

  /** Why the capture cannot take hangups now (a stopped thread, a hung spool disk), or null. */
  public String captureProblem() {
    return server == null ? "not started" : server.problem();
  }

  /** Hangup events in the spool not yet confirmed in the database (a few in flight are normal). */
  public long spoolSize() {
    return spool.size();
  }

  /**
   * Hangup events held in the spool because the database is down, hanging or refused them — what
   * {@code /ready} reports; 0 while events flow straight through.
   */
  public long waitingForDatabase() {
    boolean flowing = writer.healthy() && !writer.stalled() && spool.leftover() == null;
    return flowing ? 0 : spool.size();
  }

  @Override
  public void close() {
    if (server != null) {
      server.shutdown();
      try {
        if (!server.awaitSessions(cfg.readTimeout().toMillis() + 1_000))
          log.warn("FastAGI sessions still running at shutdown");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        server.close();
      } catch (IOException e) {
        log.warn("closing the FastAGI listener: {}", e.getMessage());
      }
    }
    writer.close();
    drainLoop.shutdown();
    try {
      drainLoop.awaitTermination(5, TimeUnit.SECONDS);
      spool.forgetConfirmed();
      spool.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      log.warn("closing the spool: {}", e.getMessage());
    }
    log.info("FastAGI stopped; {} hangup events wait in the spool", spool.size());
  }
}
