package dev.postcall.agi;

/** What the benchmark (another package) needs from inside the capture package. */
public final class AgiBenchSupport {
  private AgiBenchSupport() {}

  /** The hangup script's one query, so the baseline responder sends the very same command. */
  public static String expression() {
    return HangupQuery.EXPRESSION;
  }
}
