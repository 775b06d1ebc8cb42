package dev.postcall.agi;

import dev.postcall.call.CallRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/** What the benchmark (another package) needs from inside the capture package. */
public final class AgiBenchSupport {
  private AgiBenchSupport() {}

  /** The hangup script's one query, so the baseline responder sends the very same command. */
  public static String expression() {
    return HangupQuery.EXPRESSION;
  }

  /** A spool of its own, to time its appends alone: the floor under every session. */
  public static final class SpoolAppends implements AutoCloseable {
    private final Spool spool;

    public SpoolAppends(Path dir) throws IOException {
      this.spool = new Spool(dir, Clock.systemUTC());
    }

    /** One append (JSON line, write, fsync) as a session makes it; its time in ns. */
    public long append(String uniqueid) throws IOException {
      long t0 = System.nanoTime();
      spool.append(new CallRecord(uniqueid, null, "PJSIP/bench", null, "100", "Bench", "200", "bench",
          null, null, null, null, null, null, "ANSWER", null, null, null, CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId()), "bench");
      return System.nanoTime() - t0;
    }

    @Override
    public void close() throws IOException {
      spool.close();
    }
  }
}
