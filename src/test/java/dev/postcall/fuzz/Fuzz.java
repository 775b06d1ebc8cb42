package dev.postcall.fuzz;

import java.util.Random;

/**
 * Seeded random fuzzing in plain JUnit. Input {@code i} of a run draws from its own
 * {@code Random(mix(seed, i))}, so a failure names the seed and the input number, and
 * {@code -Dfuzz.seed=S -Dfuzz.only=I} replays exactly that input.
 *
 * <p>System properties: {@code fuzz.inputs} (inputs per target; each target has a small default
 * that keeps {@code mvn verify} fast, {@code scripts/fuzz full} sets 100,000), {@code fuzz.seed}
 * (the pom fixes it for {@code mvn verify}, {@code scripts/fuzz} draws a fresh one; unset, as in
 * an IDE, a fresh one; always printed), {@code fuzz.only} (one input number).
 */
public final class Fuzz {
  private final String target;
  private final long seed;
  private final int inputs;
  private final int only;
  private final long t0 = System.nanoTime();
  private long rejections;
  private long ran;

  private Fuzz(String target, long seed, int inputs, int only) {
    this.target = target;
    this.seed = seed;
    this.inputs = inputs;
    this.only = only;
  }

  /** A run of {@code fuzz.inputs} inputs (or {@code ciInputs} when unset). */
  public static Fuzz start(String target, int ciInputs) {
    return startScaled(target, ciInputs, 1);
  }

  /**
   * A run whose full size is {@code fuzz.inputs / divisor}: for targets where one input is a whole
   * session over a socket and costs a thousand times a parse.
   */
  public static Fuzz startScaled(String target, int ciInputs, int divisor) {
    String n = System.getProperty("fuzz.inputs");
    int inputs = n == null || n.isBlank() ? ciInputs : Math.max(1, Integer.parseInt(n.trim()) / divisor);
    String s = System.getProperty("fuzz.seed");
    long seed = s == null || s.isBlank() ? new Random().nextLong() : Long.parseLong(s.trim());
    String o = System.getProperty("fuzz.only");
    return new Fuzz(target, seed, inputs, o == null || o.isBlank() ? -1 : Integer.parseInt(o.trim()));
  }

  /**
   * Keeps a logger's lines off the console while a run feeds it 100,000 hostile inputs (appenders
   * attached to that logger itself, such as a test's capture, still get them). Close to restore.
   */
  public static AutoCloseable quiet(String loggerName) {
    ch.qos.logback.classic.Logger l = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(loggerName);
    boolean was = l.isAdditive();
    l.setAdditive(false);
    return () -> l.setAdditive(was);
  }

  public int inputs() {
    return inputs;
  }

  public long seed() {
    return seed;
  }

  /** Whether input {@code i} runs (all of them, or only {@code fuzz.only}). */
  public boolean runs(int i) {
    return only < 0 || only == i;
  }

  /** The generator of input {@code i}: the same for the same seed, whatever ran before. */
  public Random random(int i) {
    long z = seed + 0x9E3779B97F4A7C15L * (i + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return new Random(z ^ (z >>> 31));
  }

  /** Counts one input as run. */
  public void ran() {
    ran++;
  }

  /** Counts one input the code under test refused (with a reason, checked by the caller). */
  public void rejected() {
    rejections++;
  }

  public long rejections() {
    return rejections;
  }

  /** Wraps a property failure so the message says how to replay it. */
  public AssertionError failure(int i, Object input, Throwable cause) {
    return new AssertionError(target + ": input " + i + " (replay: -Dfuzz.seed=" + seed + " -Dfuzz.only=" + i
        + ") " + Inputs.show(input) + ": " + cause, cause);
  }

  /** Runs one input's check; any throwable becomes a replayable failure. */
  public void check(int i, Object input, ThrowingRunnable body) {
    try {
      body.run();
    } catch (Throwable t) {
      throw failure(i, input, t);
    }
  }

  public interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** Prints the one summary line: target, inputs, rejections, seed, time. */
  public String finish() {
    String line = String.format("fuzz %s: inputs=%d rejections=%d seed=%d time_ms=%d", target, ran, rejections, seed,
        (System.nanoTime() - t0) / 1_000_000);
    System.out.println(line);
    return line;
  }
}
