package dev.postcall.chaos;

import dev.postcall.sim.CallSimulator;
import dev.postcall.sim.CallSimulator.SimulatedCall;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One emulated PBX as a process of its own, so it can run on a clock of its own (libfaketime): the
 * call simulator against a postcall node's FastAGI port, its Master.csv rotated every few hundred
 * ms, the calls made written to a results file ({@link #write}) for the harness to count.
 *
 * <p>Arguments: agiPort recordingsDir masterCsv calls ratePerSecond skipAgiPercent seed systemname
 * epoch(or "clock") pbxIndex rotateMs results
 */
public final class PbxSimMain {
  private PbxSimMain() {}

  public static void main(String[] a) throws Exception {
    int agiPort = Integer.parseInt(a[0]);
    Path recordings = Path.of(a[1]);
    Path masterCsv = Path.of(a[2]);
    int calls = Integer.parseInt(a[3]);
    double rate = Double.parseDouble(a[4]);
    int skipAgi = Integer.parseInt(a[5]);
    long seed = Long.parseLong(a[6]);
    String systemname = a[7];
    long epoch = a[8].equals("clock") ? System.currentTimeMillis() / 1000 : Long.parseLong(a[8]);
    int pbx = Integer.parseInt(a[9]);
    long rotateMs = Long.parseLong(a[10]);
    Path results = Path.of(a[11]);
    CallSimulator sim = new CallSimulator(new CallSimulator.Options(calls, rate, 64, ChaosRun.mix(), skipAgi, 0, 0.01,
        Duration.ofSeconds(180), recordings, masterCsv, new InetSocketAddress("127.0.0.1", agiPort), ZoneId.systemDefault(),
        seed, false)).uniqueids(systemname, epoch).tones(n -> ManyPbxChaos.toneHz(n, pbx));
    CompletableFuture<List<SimulatedCall>> done = ChaosRun.simulate(sim);
    int rotations = 0;
    while (!done.isDone()) {
      Thread.sleep(rotateMs);
      if (rotations++ % 2 == 0) sim.csv().rotate();
      else sim.csv().copyTruncate();
    }
    write(done.get(), results);
    System.out.println("simulated " + done.get().size() + " calls, " + rotations + " rotations, uniqueid epoch " + epoch);
  }

  static void write(List<SimulatedCall> calls, Path file) throws java.io.IOException {
    List<String> lines = new ArrayList<>();
    for (SimulatedCall c : calls)
      lines.add(String.join("\t", c.uniqueid(), c.outcome().name(), c.callerNumber(), String.valueOf(c.viaAgi()),
          String.valueOf(c.agiCompleted()), String.valueOf(c.agiMicros()), String.valueOf(c.audioSeconds()),
          c.hungUpAt().toString(), String.valueOf(c.toneHz())));
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, lines, StandardCharsets.UTF_8);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  static List<SimulatedCall> read(Path file) throws java.io.IOException {
    List<SimulatedCall> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] f = line.split("\t", -1);
      out.add(new SimulatedCall(f[0], CallSimulator.Outcome.valueOf(f[1]), f[2], Boolean.parseBoolean(f[3]),
          Boolean.parseBoolean(f[4]), Long.parseLong(f[5]), Double.parseDouble(f[6]), java.time.Instant.parse(f[7]),
          Double.parseDouble(f[8])));
    }
    return out;
  }

  static Map<String, String> env(long skewSeconds) {
    return Map.of("FAKETIME", (skewSeconds >= 0 ? "+" : "") + skewSeconds + "s", "FAKETIME_DONT_FAKE_MONOTONIC", "1");
  }
}
