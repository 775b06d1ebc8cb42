package dev.postcall.queue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whose recording a file is, from its name alone: the file {@code recordings.pattern} gives for a
 * uniqueid belongs to that call. A hangup naming the file of another uniqueid — one that looks like
 * an Asterisk uniqueid ({@code 1795386561.77}, or {@code systemname-1795386561.77}) — names another
 * call's recording; a name the pattern does not explain belongs to whichever call claimed it first.
 * A name the pattern gives for {@code something-<this call's uniqueid>} is this call's too.
 */
public final class RecordingOwnership {
  /** No pattern known: every name is judged by who claimed it first. */
  public static final RecordingOwnership NONE = new RecordingOwnership(null);
  /** Asterisk's uniqueid: epoch.sequence, after {@code systemname-} if one is set (no dash in it here). */
  private static final Pattern UNIQUEID = Pattern.compile("(?:[A-Za-z0-9_.]*[A-Za-z][A-Za-z0-9_.]*-)?\\d{6,}\\.\\d+");

  private final Pattern named;
  /** How many trailing path elements the pattern describes ({@code ${uniqueid}.wav}: the file name). */
  private final int elements;

  /**
   * {@code pattern}: recordings.pattern (contains {@code ${uniqueid}}). Matched against the end of
   * the recording's path, whatever folder it is in: the PBX may see the recordings folder under
   * another path than this host's recordings.dir.
   */
  public RecordingOwnership(String pattern) {
    if (pattern == null) {
      this.named = null;
      this.elements = 0;
    } else {
      int at = pattern.indexOf("${uniqueid}");
      String rest = pattern.substring(at + "${uniqueid}".length());
      if (at < 0 || rest.contains("${uniqueid}")) throw new IllegalArgumentException("need ${uniqueid} once in " + pattern);
      this.named = Pattern.compile(Pattern.quote(pattern.substring(0, at)) + "([^/]+)" + Pattern.quote(rest));
      this.elements = Path.of(pattern).normalize().getNameCount();
    }
  }

  /** What a recording name says about its owner. */
  public enum Verdict { OWN, ANOTHER_CALL, UNKNOWN }

  /** Whether {@code recording} is, by its name, the recording of call {@code uniqueid}. */
  public Verdict of(String uniqueid, String recording) {
    String owner = namedAfter(recording);
    if (owner == null) return Verdict.UNKNOWN;
    // a prefix before the call's own uniqueid (exten-${UNIQUEID}.wav) still names this call
    if (owner.equals(uniqueid) || owner.endsWith("-" + uniqueid)) return Verdict.OWN;
    return UNIQUEID.matcher(owner).matches() ? Verdict.ANOTHER_CALL : Verdict.UNKNOWN;
  }

  /** The uniqueid the pattern gives this name for, or null (not of the pattern's form). */
  String namedAfter(String recording) {
    if (named == null || recording == null || recording.indexOf('\0') >= 0) return null;
    String tail;
    try {
      Path p = Path.of(recording).normalize();
      int n = p.getNameCount();
      if (n < elements || elements == 0) return null;
      tail = p.subpath(n - elements, n).toString();
    } catch (RuntimeException e) {
      return null; // not a path at all: the worker refuses it anyway
    }
    Matcher m = named.matcher(tail);
    return m.matches() ? m.group(1) : null;
  }
}
