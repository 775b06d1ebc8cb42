package dev.postcall.incident;

import dev.postcall.config.PostcallConfig;
import dev.postcall.incident.soap.KeyValuesPairSoap;
import dev.postcall.incident.soap.KeyValuesPairSoapArray;
import dev.postcall.call.CallRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * The attributes of a call object, named as the configuration says ({@code incident.attr.*}). The
 * PBX goes in an attribute of its own ({@code incident.attr.pbx}, default {@code pbx_id}); set empty,
 * it is not sent — only right for a single PBX, whose uniqueids alone name its calls.
 */
final class CallAttributes {
  private final PostcallConfig.Incident cfg;
  private final DateTimeFormatter timeFormat;

  CallAttributes(PostcallConfig.Incident cfg) {
    this.cfg = cfg;
    this.timeFormat = cfg.timeFormat().equals("iso") ? null : DateTimeFormatter.ofPattern(cfg.timeFormat()).withZone(cfg.timeZone());
  }

  String name(String key) {
    return cfg.attributes().get(key);
  }

  /** Whether the PBX travels as an attribute (incident.attr.pbx not set empty). */
  boolean sendsPbx() {
    String n = name("pbx");
    return n != null && !n.isBlank();
  }

  /**
   * The "also" of a lookup: the call's PBX, and — with {@code orUnmarked} — "" for an object
   * without a PBX attribute. Null when no PBX attribute is sent.
   */
  KeyValuesPairSoap pbxMatch(String pbxId, boolean orUnmarked) {
    if (!sendsPbx()) return null;
    KeyValuesPairSoap kv = new KeyValuesPairSoap();
    kv.setKey(name("pbx"));
    kv.getValues().add(pbxId);
    if (orUnmarked && !pbxId.isEmpty()) kv.getValues().add("");
    return kv;
  }

  KeyValuesPairSoapArray of(CallRecord call, String status) {
    KeyValuesPairSoapArray a = new KeyValuesPairSoapArray();
    add(a, "caller", call.callerNumber());
    add(a, "called", call.extension());
    add(a, "start", call.start() == null ? null : format(call.start()));
    add(a, "duration", duration(call));
    add(a, "status", status);
    add(a, "uniqueid", call.uniqueid());
    // a call stored before calls carried their PBX (not adopted yet) has none to send
    if (sendsPbx() && !call.pbxId().isEmpty()) add(a, "pbx", call.pbxId());
    return a;
  }

  private void add(KeyValuesPairSoapArray a, String key, String value) {
    KeyValuesPairSoap kv = new KeyValuesPairSoap();
    kv.setKey(name(key));
    if (value != null) kv.getValues().add(value);
    a.getItem().add(kv);
  }

  private String format(Instant t) {
    return timeFormat == null ? t.toString() : timeFormat.format(t);
  }

  /** Seconds: the CDR's duration, else end − start when both are known. */
  private static String duration(CallRecord call) {
    if (call.duration() != null) return call.duration().toString();
    if (call.start() != null && call.end() != null)
      return Long.toString(Duration.between(call.start(), call.end()).toSeconds());
    return null;
  }
}
