package dev.postcall;

import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of a service thread: runs one step after another until told to stop, and outlives a
 * step that fails, so one bad input cannot end the thread that serves all the others. Interrupts
 * are how {@code close()} wakes the thread: while still running one is logged and ignored.
 *
 * <p>A step waits for its own work (a queue poll with a timeout, a select); {@link #pausingBetween}
 * adds a wait after every step, failed or not, so a failing step cannot spin.
 */
public final class RunUntilStopped implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(RunUntilStopped.class);

  /** One pass of the loop. */
  @FunctionalInterface
  public interface Step {
    void run() throws Exception;
  }

  /** The wait between two steps. */
  @FunctionalInterface
  public interface Pause {
    void await() throws InterruptedException;
  }

  /** What a failed step leaves to do (log it, release what it held); rethrowing ends the thread. */
  @FunctionalInterface
  public interface Failure {
    void failed(Throwable e);
  }

  private final String name;
  private final BooleanSupplier running;
  private final BooleanSupplier workLeft;
  private final Step step;
  private final Failure failure;
  private final Pause pause;

  /** Runs {@code step} while {@code running}; a step's exception or error goes to {@code failure}. */
  public RunUntilStopped(String name, BooleanSupplier running, Step step, Failure failure) {
    this(name, running, () -> false, step, failure, null);
  }

  private RunUntilStopped(String name, BooleanSupplier running, BooleanSupplier workLeft, Step step, Failure failure,
      Pause pause) {
    this.name = name;
    this.running = running;
    this.workLeft = workLeft;
    this.step = step;
    this.failure = failure;
    this.pause = pause;
  }

  /** After stop, goes on while {@code workLeft} (a queue to empty); an interrupt still ends it at once. */
  public RunUntilStopped drainingWhile(BooleanSupplier workLeft) {
    return new RunUntilStopped(name, running, workLeft, step, failure, pause);
  }

  /** Waits with {@code pause} after every step. */
  public RunUntilStopped pausingBetween(Pause pause) {
    return new RunUntilStopped(name, running, workLeft, step, failure, pause);
  }

  @Override
  public void run() {
    while (running.getAsBoolean() || workLeft.getAsBoolean()) {
      try {
        step.run();
      } catch (InterruptedException e) {
        if (stoppedByInterrupt()) return;
      } catch (Throwable e) {
        failure.failed(e);
      }
      if (pause == null) continue;
      try {
        pause.await();
      } catch (InterruptedException e) {
        if (stoppedByInterrupt()) return;
      }
    }
  }

  /** True when the interrupt came from stopping; otherwise it is logged and the loop goes on. */
  private boolean stoppedByInterrupt() {
    if (!running.getAsBoolean()) return true;
    log.warn("{} interrupted unexpectedly — continuing", name);
    return false;
  }
}
