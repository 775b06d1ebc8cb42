package dev.postcall.agi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.asteriskjava.fastagi.command.AgiCommand;
import org.asteriskjava.fastagi.command.GetFullVariableCommand;

/**
 * The one {@code GET FULL VARIABLE} that reads a finished call's values in a single round trip.
 *
 * <p>Every value is wrapped in {@code URIENCODE()} and the values are joined with {@code |}.
 * URIENCODE (func_uri, in every Asterisk since 1.2) percent-encodes everything but letters, digits
 * and {@code -_.!~*'()}, so an encoded value never contains {@code |}, a newline or a NUL, whatever
 * the dialplan put in the userfield or the recording name, and decoding gives back the exact UTF-8
 * bytes. A plain {@code |}-joined expression would split a userfield such as {@code a|b} wrongly.
 *
 * <p>CDR values are read here, never taken from AGI arguments: at {@code h,1} arguments are
 * expanded before the CDR is final (args-race transcripts: NO ANSWER and an empty end, while the
 * same CDR read a millisecond later is BUSY/FAILED with an end time).
 */
final class HangupQuery {
  /** The values, in the order of the expression. */
  enum Field {
    START("CDR(start)"), ANSWER("CDR(answer)"), END("CDR(end)"), DURATION("CDR(duration)"),
    BILLSEC("CDR(billsec)"), DISPOSITION("CDR(disposition)"), DIALSTATUS("DIALSTATUS"),
    RECORDING("MIXMONITOR_FILENAME"), LINKEDID("CDR(linkedid)"), USERFIELD("CDR(userfield)"),
    DSTCHANNEL("CDR(dstchannel)"), DST("CDR(dst)"), DCONTEXT("CDR(dcontext)"),
    /** The same times as epoch seconds with microseconds: no time zone to get wrong ({@code 0.000000} when unset). */
    START_EPOCH("CDR(start,u)"), ANSWER_EPOCH("CDR(answer,u)"), END_EPOCH("CDR(end,u)"),
    /** Seconds bridged to an answering party, set by Dial and Queue alike (Queue sets no DIALSTATUS). */
    ANSWEREDTIME("ANSWEREDTIME"),
    /** Why Queue() gave up (TIMEOUT, FULL, JOINEMPTY…); unset when a member answered. */
    QUEUESTATUS("QUEUESTATUS"),
    /** The queue member who answered (app_queue sets it with {@code setinterfacevar=yes}). */
    MEMBERINTERFACE("MEMBERINTERFACE"),
    /** The channel that answered the last Dial that was answered: of a ring group, the one that did. */
    DIALEDPEERNAME("DIALEDPEERNAME"),
    /**
     * The number the caller dialled first, kept by the shipped dialplan's postcall-dialled routine:
     * a redirect or blind transfer rewrites CDR(dst) in every part, this stays.
     */
    DIALLED("POSTCALL_DIALLED"),
    /**
     * The channel's uniqueid when postcall-dialled ran: a pickup moves the picker's phone onto the
     * picked-up leg and leaves the picker's dialplan (and h) on a channel renamed to that leg's name
     * and uniqueid, but with the picker's variables.
     */
    FIRST_UNIQUEID("POSTCALL_UNIQUEID"),
    /** The PBX's clock now, at hangup: later than the last CDR part's end when the channel outlived it (a retrieved park). */
    NOW("EPOCH"),
    /**
     * The call's first CDR part's start ({@code CDR(start,u)} read by postcall-dialled at the call's
     * entry): inside h, CDR() is the last part, and only this says when a call whose Dial failed
     * began. Unset where the dialplan is an older copy without that line.
     */
    CALL_START("POSTCALL_START");

    final String variable;

    Field(String variable) {
      this.variable = variable;
    }
  }

  private static final Field[] FIELDS = Field.values();
  static final String EXPRESSION = Stream.of(FIELDS)
      .map(f -> "${URIENCODE(${" + f.variable + "})}")
      .collect(Collectors.joining("|"));
  private static final String OK_PREFIX = "200 result=1 (";

  /**
   * The command, quoted once: asterisk-java quotes a command's argument every time it is sent,
   * compiling a regex and formatting a string — a twentieth of a session thread's CPU.
   */
  static final AgiCommand COMMAND = new GetFullVariableCommand(EXPRESSION) {
    private static final long serialVersionUID = 1L;
    private final String text = super.buildCommand();

    @Override
    public String buildCommand() {
      return text;
    }
  };

  private HangupQuery() {}

  /**
   * Parses Asterisk's answer line ({@code 200 result=1 (…)}). Unset variables come back empty and
   * are left out of the map. Throws IllegalArgumentException when the line is not such an answer.
   */
  static Map<Field, String> parse(String line) {
    if (line == null || !line.startsWith(OK_PREFIX) || !line.endsWith(")"))
      throw new IllegalArgumentException("unexpected answer '" + Text.printable(line) + "'");
    String body = line.substring(OK_PREFIX.length(), line.length() - 1);
    String[] parts = body.split("\\|", -1);
    if (parts.length != FIELDS.length)
      throw new IllegalArgumentException("expected " + FIELDS.length + " values, got " + parts.length
          + " in '" + Text.printable(body) + "' (URIENCODE missing from this Asterisk?)");
    Map<Field, String> out = new EnumMap<>(Field.class);
    for (int i = 0; i < parts.length; i++) {
      if (!parts[i].isEmpty()) out.put(FIELDS[i], percentDecode(parts[i]));
    }
    return out;
  }

  /**
   * Undoes URIENCODE: {@code %XX} → byte, everything else as is ({@code +} stays {@code +}:
   * URIENCODE writes a space as %20). A broken escape (Asterisk cuts a function's result at 4 kB)
   * is kept literally rather than failing the call.
   */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) return s;
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    byte[] in = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < in.length; i++) {
      int hi = i + 2 < in.length && in[i] == '%' ? hex(in[i + 1]) : -1;
      int lo = hi >= 0 ? hex(in[i + 2]) : -1;
      if (lo >= 0) {
        out.write(hi << 4 | lo);
        i += 2;
      } else {
        out.write(in[i]);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') return b - '0';
    if (b >= 'A' && b <= 'F') return b - 'A' + 10;
    if (b >= 'a' && b <= 'f') return b - 'a' + 10;
    return -1;
  }
}
