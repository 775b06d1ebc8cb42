package dev.postcall.agi;

import dev.postcall.agi.HangupQuery.Field;
import java.util.Locale;
import java.util.Map;
import org.asteriskjava.fastagi.AgiChannel;
import org.asteriskjava.fastagi.AgiException;
import org.asteriskjava.fastagi.AgiHangupException;
import org.asteriskjava.fastagi.AgiRequest;
import org.asteriskjava.fastagi.AgiScript;
import org.asteriskjava.fastagi.reply.AgiReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code hangup} script: reads the finished call (environment + one {@link HangupQuery}),
 * makes it durable ({@link CaptureWriter}: database within the budget, else the spool) and
 * returns, which ends the session. Nothing here waits for the recording: Asterisk closes the WAV
 * only after this socket closes, so the worker waits for it later.
 */
final class HangupScript implements AgiScript {
  private static final Logger log = LoggerFactory.getLogger(HangupScript.class);

  private final HangupCallBuilder builder;
  private final CaptureWriter writer;

  HangupScript(HangupCallBuilder builder, CaptureWriter writer) {
    this.builder = builder;
    this.writer = writer;
  }

  @Override
  public void service(AgiRequest request, AgiChannel channel) {
    long t0 = System.nanoTime();
    AgiConnection conn = AgiConnection.current();
    String peer = conn == null ? String.valueOf(request.getRemoteAddress()) : conn.peer();
    HangupCallBuilder.Env env = env(request);
    if (env.uniqueid() == null || env.uniqueid().isBlank()) {
      outcome(conn, "no_uniqueid");
      log.warn("AGI client {}: hangup without agi_uniqueid (channel {}) — nothing to store, closing", peer,
          Text.printable(env.channel()));
      return;
    }
    Map<Field, String> values = query(channel, env.uniqueid());
    HangupCallBuilder.Built built = builder.build(env, values);
    String uid = Text.printable(built.call().uniqueid());
    for (String w : built.warnings()) log.warn("call {}: {} (stored anyway)", uid, w);
    CaptureWriter.Outcome o = writer.capture(built.call());
    outcome(conn, o.result().name().toLowerCase(Locale.ROOT));
    if (conn != null) conn.endSession();
    log.info("call {} {} ({}, DIALSTATUS {}) in {} µs", uid, switch (o.result()) {
      case ACCEPTED -> "received";
      case STORED -> "stored directly (" + o.reason() + ")";
      case DUPLICATE -> "already stored — nothing added (" + o.reason() + ")";
      case NOT_STORED -> "NOT stored: " + o.reason();
    }, Text.printable(built.call().channel()), Text.printable(built.call().dialStatus()), (System.nanoTime() - t0) / 1000);
  }

  private static void outcome(AgiConnection conn, String o) {
    if (conn != null) conn.outcome(o);
  }

  /**
   * The values Asterisk answers for the call, or none: a dead channel that refuses the command
   * (511), an Asterisk without URIENCODE or one that hung up still leave us the environment, and
   * the call is kept with what we have.
   */
  private static Map<Field, String> query(AgiChannel channel, String uniqueid) {
    String uid = Text.printable(uniqueid);
    try {
      AgiReply reply = channel.sendCommand(HangupQuery.COMMAND);
      return HangupQuery.parse(reply.getFirstLine());
    } catch (AgiHangupException e) {
      AgiReply last = channel.getLastReply();
      if (last != null && last.getStatus() == AgiReply.SC_DEAD_CHANNEL)
        log.warn("call {}: Asterisk refused GET FULL VARIABLE on the dead channel (511) — storing the environment only", uid);
      else log.warn("call {}: Asterisk closed the session before answering — storing the environment only", uid);
    } catch (AgiException | IllegalArgumentException e) {
      log.warn("call {}: no CDR values ({}) — storing the environment only", uid, Text.printable(e.getMessage()));
    }
    return Map.of();
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
