package dev.postcall;

import dev.postcall.call.CallRecord;
import dev.postcall.config.PostcallConfig;
import java.time.Instant;

/**
 * A {@link CallRecord} for tests, naming only the fields a test cares about:
 * {@code CallBuilder.agi("1.1").caller("100").extension("101").disposition("ANSWERED").build()}.
 * Everything not set is null (as from a PBX that left it empty).
 */
public final class CallBuilder {
  private final String uniqueid;
  private final CallRecord.Source source;
  private String linkedid;
  private String channel;
  private String dstChannel;
  private String callerNumber;
  private String callerName;
  private String extension;
  private String context;
  private Instant start;
  private Instant answer;
  private Instant end;
  private Integer duration;
  private Integer billsec;
  private String disposition;
  private String dialStatus;
  private String recording;
  private String accountcode;
  private String userfield;
  private String agent;
  /** As the service stores it with pbx.id unset: the host name. */
  private String pbxId = PostcallConfig.Pbx.defaultId();

  private CallBuilder(String uniqueid, CallRecord.Source source) {
    this.uniqueid = uniqueid;
    this.source = source;
  }

  /** A call as the hangup handler stores it. */
  public static CallBuilder agi(String uniqueid) {
    return new CallBuilder(uniqueid, CallRecord.Source.AGI);
  }

  /** A call as a Master.csv row stores it. */
  public static CallBuilder csv(String uniqueid) {
    return new CallBuilder(uniqueid, CallRecord.Source.CSV);
  }

  /** Every field of {@code c}, to change a few. */
  public static CallBuilder from(CallRecord c) {
    CallBuilder b = new CallBuilder(c.uniqueid(), c.source());
    b.linkedid = c.linkedid();
    b.channel = c.channel();
    b.dstChannel = c.dstChannel();
    b.callerNumber = c.callerNumber();
    b.callerName = c.callerName();
    b.extension = c.extension();
    b.context = c.context();
    b.start = c.start();
    b.answer = c.answer();
    b.end = c.end();
    b.duration = c.duration();
    b.billsec = c.billsec();
    b.disposition = c.disposition();
    b.dialStatus = c.dialStatus();
    b.recording = c.recording();
    b.accountcode = c.accountcode();
    b.userfield = c.userfield();
    b.agent = c.agent();
    b.pbxId = c.pbxId();
    return b;
  }

  public CallBuilder linkedid(String v) { linkedid = v; return this; }
  public CallBuilder channel(String v) { channel = v; return this; }
  public CallBuilder dstChannel(String v) { dstChannel = v; return this; }
  public CallBuilder caller(String number) { callerNumber = number; return this; }
  public CallBuilder callerName(String v) { callerName = v; return this; }
  public CallBuilder extension(String v) { extension = v; return this; }
  public CallBuilder context(String v) { context = v; return this; }
  public CallBuilder start(Instant v) { start = v; return this; }
  public CallBuilder answer(Instant v) { answer = v; return this; }
  public CallBuilder end(Instant v) { end = v; return this; }
  public CallBuilder duration(Integer v) { duration = v; return this; }
  public CallBuilder billsec(Integer v) { billsec = v; return this; }
  public CallBuilder disposition(String v) { disposition = v; return this; }
  public CallBuilder dialStatus(String v) { dialStatus = v; return this; }
  public CallBuilder recording(String v) { recording = v; return this; }
  public CallBuilder accountcode(String v) { accountcode = v; return this; }
  public CallBuilder userfield(String v) { userfield = v; return this; }
  public CallBuilder agent(String v) { agent = v; return this; }
  public CallBuilder pbx(String v) { pbxId = v; return this; }

  public CallRecord build() {
    return new CallRecord(uniqueid, linkedid, channel, dstChannel, callerNumber, callerName, extension, context, start,
        answer, end, duration, billsec, disposition, dialStatus, recording, accountcode, userfield, source, agent, pbxId);
  }
}
