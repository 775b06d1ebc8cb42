package dev.postcall.agi;

import dev.postcall.agi.HangupQuery.Field;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.asteriskjava.fastagi.AgiChannel;
import org.asteriskjava.fastagi.AgiException;
import org.asteriskjava.fastagi.AgiHangupException;
import org.asteriskjava.fastagi.AgiRequest;
import org.asteriskjava.fastagi.reply.AgiReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One FastAGI session of the {@code hangup} script, as a state machine fed with whatever bytes
 * arrive: the environment (→ request), then our one {@link HangupQuery} and its answer. It does no
 * I/O itself — the {@link CaptureLoop} reads, writes the query when told to ({@link Step#SEND_QUERY})
 * and hands a {@link Step#FINISHED} session to the {@link SessionCommitter}, which makes the call
 * durable and only then closes the socket.
 *
 * <p>A session never fails for want of the answer: a dead channel that refuses the query (511), an
 * Asterisk without URIENCODE, a client that hangs up, goes silent or floods us still leaves the
 * environment, and the call is kept with that.
 */
final class HangupSession {
  private static final Logger log = LoggerFactory.getLogger(HangupSession.class);
  static final String SCRIPT = "hangup";
  /** The routing script: answered from memory with {@link RouteCommands}, nothing stored. */
  static final String ROUTE_SCRIPT = "route";

  /** What the loop does next with this session. */
  enum Step { WAIT, SEND_QUERY, SEND_ROUTE, FINISHED, CLOSE }

  private enum State { ENV, QUERY, ROUTE, DONE }

  /** Where the answer to the query stands, mirroring asterisk-java's reader (see {@link #mayComplete}). */
  private enum Reply { START, USAGE }

  private final String peer;
  private final InetAddress remote;
  private final int remotePort;
  private final InetAddress local;
  private final int localPort;
  private final long acceptedNanos;
  private final AgiLines lines;
  private final AgiSecret secret;
  private State state = State.ENV;
  private Reply reply = Reply.START;
  private int scanned;
  private boolean envComplete;
  private int replyFrom;
  private boolean receivedAny;
  /** Bytes that arrived after the environment, before the query was written (read once it is). */
  private byte[] early;
  private SessionOutcome outcome;
  private AgiRequest request;
  private HangupCallBuilder.Env env;
  private Map<Field, String> values = Map.of();
  /** Replies to the route commands seen so far (route sessions). */
  private int routeReplies;
  /** When the session last heard from its client (System.nanoTime), for the read timeout. */
  private long heardAt;

  HangupSession(InetAddress remote, int remotePort, InetAddress local, int localPort, long nowNanos) {
    this(remote, remotePort, local, localPort, nowNanos, AgiSecret.NONE);
  }

  HangupSession(InetAddress remote, int remotePort, InetAddress local, int localPort, long nowNanos, AgiSecret secret) {
    this.secret = secret;
    this.remote = remote;
    this.remotePort = remotePort;
    this.local = local;
    this.localPort = localPort;
    this.peer = remote.getHostAddress() + ":" + remotePort;
    this.lines = new AgiLines(peer);
    this.acceptedNanos = nowNanos;
    this.heardAt = nowNanos;
  }

  String peer() {
    return peer;
  }

  InetAddress remoteAddress() {
    return remote;
  }

  int remotePort() {
    return remotePort;
  }

  InetAddress localAddress() {
    return local;
  }

  int localPort() {
    return localPort;
  }

  long acceptedNanos() {
    return acceptedNanos;
  }

  /** Whether the client has sent anything at all. */
  boolean receivedAny() {
    return receivedAny;
  }

  /** The first outcome reported wins (a timeout or flood beats the later "accepted"). */
  void outcome(SessionOutcome o) {
    if (outcome == null) outcome = o;
  }

  SessionOutcome outcome() {
    return outcome;
  }

  /** Whether the environment is still incomplete (the blank line that ends it has not arrived). */
  boolean awaitingEnvironment() {
    return state == State.ENV;
  }

  /** The call's environment values (FINISHED only). */
  HangupCallBuilder.Env env() {
    return env;
  }

  /** The answered query's values, empty if there was no usable answer (FINISHED only). */
  Map<Field, String> values() {
    return values;
  }

  /** Bytes arrived from the client at {@code nowNanos}. */
  Step received(ByteBuffer in, long nowNanos, AgiProtocol protocol) {
    heardAt = nowNanos;
    if (in.hasRemaining()) receivedAny = true;
    if (state == State.DONE) return Step.WAIT; // e.g. an answer to nothing: the session is over
    return consume(in, protocol);
  }

  /**
   * Line by line, acting on each: what follows the line that ends the session is ignored, and what
   * follows the environment waits in {@link #early} until the query is sent.
   */
  private Step consume(ByteBuffer in, AgiProtocol protocol) {
    while (in.hasRemaining()) {
      if (!lines.add(in)) {
        outcome(SessionOutcome.TOO_MUCH_DATA);
        return ended(protocol);
      }
      Step s = advance(false, protocol);
      if ((s == Step.SEND_QUERY || s == Step.SEND_ROUTE) && in.hasRemaining()) {
        early = new byte[in.remaining()];
        in.get(early);
      }
      if (s != Step.WAIT) return s;
    }
    return Step.WAIT;
  }

  /** The loop has written the query: bytes that came with the environment may already answer it. */
  Step querySent(AgiProtocol protocol) {
    if (early == null) return Step.WAIT;
    ByteBuffer b = ByteBuffer.wrap(early);
    early = null;
    return consume(b, protocol);
  }

  /** Whether the session still waits for its client and has heard nothing for longer than {@code timeoutNanos}. */
  boolean silentPast(long nowNanos, long timeoutNanos) {
    return state != State.DONE && nowNanos - heardAt > timeoutNanos;
  }

  /**
   * Whether the session still waits for its client more than {@code deadlineNanos} after it was
   * accepted: bytes dribbled in do not extend this, unlike the read timeout.
   */
  boolean pastDeadline(long nowNanos, long deadlineNanos) {
    return state != State.DONE && nowNanos - acceptedNanos > deadlineNanos;
  }

  /**
   * The client closed, went silent past the read timeout or its socket failed (the caller has set
   * the outcome and logged why): whatever arrived is used — an environment with a uniqueid is
   * stored even without the answer.
   */
  Step ended(AgiProtocol protocol) {
    if (state == State.DONE) return Step.WAIT;
    lines.end();
    if (state == State.ENV && !receivedAny) {
      if (outcome == null) log.warn("AGI client {} closed without sending a request (a port probe?)", peer);
      outcome(SessionOutcome.NO_REQUEST);
      state = State.DONE;
      return Step.CLOSE;
    }
    return advance(true, protocol);
  }

  private Step advance(boolean ended, AgiProtocol protocol) {
    List<String> got = lines.lines();
    if (state == State.ENV) {
      while (!envComplete && scanned < got.size()) envComplete = got.get(scanned++).isEmpty();
      if (!envComplete && !ended) return Step.WAIT;
      try {
        request = protocol.request(got, ended, this);
      } catch (AgiException e) {
        outcome(SessionOutcome.IO_ERROR);
        log.warn("AGI client {}: {} — closing", peer, Text.printable(e.getMessage()));
        state = State.DONE;
        return Step.CLOSE;
      }
      replyFrom = scanned;
      Step s = checkRequest();
      if (s == Step.SEND_ROUTE) {
        state = State.ROUTE;
        if (!ended) return s;
        outcome(SessionOutcome.IO_ERROR);
        log.warn("AGI client {}: route request ended before it could be answered", peer);
        state = State.DONE;
        return Step.CLOSE;
      }
      if (s != Step.SEND_QUERY) {
        state = State.DONE;
        return s;
      }
      state = State.QUERY;
      if (!ended) return Step.SEND_QUERY;
      return finish(protocol, true, "Asterisk closed the session before answering");
    }
    if (state == State.QUERY) {
      boolean complete = false;
      while (scanned < got.size()) complete |= mayComplete(got.get(scanned++));
      if (!complete && !ended) return Step.WAIT;
      return finish(protocol, ended, null);
    }
    if (state == State.ROUTE) {
      while (scanned < got.size() && routeReplies < RouteCommands.COUNT) if (isReply(got.get(scanned++))) routeReplies++;
      if (routeReplies < RouteCommands.COUNT && !ended) return Step.WAIT;
      if (routeReplies < RouteCommands.COUNT) {
        outcome(SessionOutcome.IO_ERROR);
        log.warn("AGI client {}: route session ended before Asterisk answered its command", peer);
      }
      outcome(SessionOutcome.ROUTED);
      state = State.DONE;
      return Step.CLOSE;
    }
    return Step.WAIT;
  }

  /** Whether the request is for us and carries a uniqueid: SEND_QUERY, or CLOSE with the reason logged. */
  private Step checkRequest() {
    // first: a client without the secret learns nothing and costs one throttled line, whatever it sent
    if (!secret.admits(request)) {
      outcome(SessionOutcome.NO_SECRET); // logged by the loop, throttled: a flood of these is an attack
      return Step.CLOSE;
    }
    String script = request.getScript();
    if (script == null) {
      outcome(SessionOutcome.NO_SCRIPT);
      log.warn("AGI client {} sent no script name (uniqueid {}, {} environment lines) — closing",
          peer, Text.printable(request.getUniqueId()), request.getRequest().size());
      return Step.CLOSE;
    }
    if (script.equals(ROUTE_SCRIPT)) return Step.SEND_ROUTE;
    if (!script.equals(SCRIPT)) {
      outcome(SessionOutcome.UNKNOWN_SCRIPT);
      log.warn("AGI client {} asked for unknown script '{}' (uniqueid {}) — closing", peer,
          Text.printable(script), Text.printable(request.getUniqueId()));
      return Step.CLOSE;
    }
    env = env(request);
    if (env.uniqueid() == null || env.uniqueid().isBlank()) {
      outcome(SessionOutcome.NO_UNIQUEID);
      log.warn("AGI client {}: hangup without agi_uniqueid (channel {}) — nothing to store, closing", peer,
          Text.printable(env.channel()));
      return Step.CLOSE;
    }
    return Step.SEND_QUERY;
  }

  /** The caller's number of a route request (its {@code agi_callerid}). */
  String callerNumber() {
    try {
      return request.getCallerIdNumber();
    } catch (RuntimeException e) {
      return request.getRequest().get("callerid"); // see env(): a value asterisk-java cannot split
    }
  }

  /**
   * Whether {@code line} ends one reply to a route command: a status code and a space ({@code 200
   * result=1}, {@code 511 …}), after any HANGUP; the lines inside a 520 usage block have a dash.
   */
  private static boolean isReply(String line) {
    if (line.startsWith("HANGUP")) line = line.substring(6);
    return line.length() >= 4 && Character.isDigit(line.charAt(0)) && Character.isDigit(line.charAt(1))
        && Character.isDigit(line.charAt(2)) && line.charAt(3) == ' ';
  }

  /**
   * Whether {@code line} can end the answer, as asterisk-java's reader sees it: HANGUP lines are
   * read past; a 520 answer runs until the next line starting with 520; a 100 (Trying) is followed
   * by the real answer; anything else is the answer. Only then is the answer parsed — a client
   * dribbling thousands of usage lines does not make us re-parse them all each time.
   */
  private boolean mayComplete(String line) {
    if (reply == Reply.USAGE) return line.startsWith("520");
    if (line.startsWith("HANGUP")) {
      if (line.length() == 6) return false;
      line = line.substring(6);
    }
    if (line.startsWith("520")) {
      reply = Reply.USAGE;
      return false;
    }
    return !line.startsWith("100");
  }

  /**
   * Runs the query's answer through asterisk-java's channel: values, or none with the reason
   * logged. {@code endedWhy} overrides the log line when the input ended before any answer.
   */
  private Step finish(AgiProtocol protocol, boolean ended, String endedWhy) {
    String uid = Text.printable(env.uniqueid());
    AgiChannel channel = protocol.channel(request, lines.lines(), replyFrom, ended, this);
    try {
      AgiReply answer = channel.sendCommand(HangupQuery.COMMAND);
      values = HangupQuery.parse(answer.getFirstLine());
    } catch (AgiHangupException e) {
      AgiReply last = channel.getLastReply();
      if (last != null && last.getStatus() == AgiReply.SC_DEAD_CHANNEL)
        log.warn("call {}: Asterisk refused GET FULL VARIABLE on the dead channel (511) — storing the environment only", uid);
      else if (lines.overLimit() != null) log.warn("call {}: no CDR values (flooded) — storing the environment only", uid);
      else if (outcome != null && outcome != SessionOutcome.NO_REQUEST)
        log.warn("call {}: no answer to the query ({}) — storing the environment only", uid, outcome.tag());
      else log.warn("call {}: {} — storing the environment only", uid,
          endedWhy != null ? endedWhy : "Asterisk closed the session before answering");
    } catch (AgiException | IllegalArgumentException e) {
      log.warn("call {}: no CDR values ({}) — storing the environment only", uid, Text.printable(e.getMessage()));
    } catch (RuntimeException e) {
      if (e != AgiProtocol.NEED_MORE) throw e;
      return Step.WAIT; // the answer is not all there yet
    }
    state = State.DONE;
    return Step.FINISHED;
  }

  /** Environment values, plus {@code UNIQUEID=…} / {@code MIXMONITOR_FILENAME=…} arguments if given. */
  static HangupCallBuilder.Env env(AgiRequest r) {
    String uid = r.getUniqueId();
    String recording = null;
    String[] args;
    try {
      args = r.getArguments();
    } catch (RuntimeException e) {
      args = null; // a malformed agi_arg_ line (asterisk-java parses the number after arg_)
    }
    for (String a : args == null ? new String[0] : args) {
      if (a == null) continue;
      int eq = a.indexOf('=');
      if (eq <= 0) continue; // positional arguments (CDR values at h,1) are not final: ignored
      String key = a.substring(0, eq).trim().toUpperCase(Locale.ROOT);
      String value = a.substring(eq + 1);
      if (value.isBlank()) continue;
      if (key.equals("UNIQUEID") && (uid == null || uid.isBlank())) uid = value.trim();
      if (key.equals("MIXMONITOR_FILENAME") || key.equals("RECORDING")) recording = value;
    }
    String number;
    String name;
    try {
      number = r.getCallerIdNumber();
      name = r.getCallerIdName();
    } catch (RuntimeException e) {
      // Without agi_calleridname asterisk-java parses agi_callerid as Asterisk 1.0's "name <number>",
      // and a value like "x>y<" throws (found by the session fuzzer): keep the raw value as the number.
      number = r.getRequest().get("callerid");
      name = null;
    }
    return new HangupCallBuilder.Env(uid, r.getChannel(), number, name,
        r.getExtension(), r.getContext(), r.getAccountCode(), recording);
  }
}
