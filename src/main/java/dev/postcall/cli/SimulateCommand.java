package dev.postcall.cli;

import dev.postcall.sim.CallSimulator;
import dev.postcall.sim.CallSimulator.SimulatedCall;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code postcall simulate}: generates calls the way an Asterisk with MixMonitor and cdr_csv would. */
@Command(name = "simulate", mixinStandardHelpOptions = true, description = "Generate calls like a real Asterisk: growing WAVs, FastAGI hangup sessions, Master.csv rows.")
final class SimulateCommand implements Callable<Integer> {
  @Option(names = "--calls", defaultValue = "100") int calls;
  @Option(names = "--rate", defaultValue = "5", description = "Calls started per second.") double rate;
  @Option(names = "--concurrency", defaultValue = "50") int concurrency;
  @Option(names = "--outcomes", defaultValue = "answered=70,busy=10,noanswer=15,congestion=3,chanunavail=2") String outcomes;
  @Option(names = "--skip-agi", defaultValue = "0", description = "Percent of calls that reach only Master.csv.") int skipAgi;
  @Option(names = "--rotate-every", defaultValue = "0", description = "Rotate Master.csv by rename every N calls.") int rotateEvery;
  @Option(names = "--duration-scale", defaultValue = "1.0", description = "Scale call lengths (0.01 = quick runs).") double scale;
  @Option(names = "--mean-duration", defaultValue = "180", description = "Mean talk time in seconds, before scaling.") int meanSeconds;
  @Option(names = "--recordings", defaultValue = "var/sim/monitor") Path recordings;
  @Option(names = "--master-csv", defaultValue = "var/sim/cdr-csv/Master.csv") Path masterCsv;
  @Option(names = "--agi", defaultValue = "127.0.0.1:4573") String agi;
  @Option(names = "--seed", defaultValue = "1") long seed;

  @Override
  public Integer call() throws Exception {
    String[] hp = agi.split(":");
    CallSimulator sim = new CallSimulator(new CallSimulator.Options(calls, rate, concurrency,
        CallSimulator.parseOutcomes(outcomes), skipAgi, rotateEvery, scale, Duration.ofSeconds(meanSeconds),
        recordings, masterCsv, new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), ZoneId.systemDefault(), seed, false));
    List<SimulatedCall> done = sim.run();
    long viaAgi = done.stream().filter(SimulatedCall::viaAgi).count();
    long agiOk = done.stream().filter(SimulatedCall::agiCompleted).count();
    long[] micros = done.stream().filter(SimulatedCall::viaAgi).mapToLong(SimulatedCall::agiMicros).sorted().toArray();
    System.out.printf("simulated=%d via_agi=%d agi_completed=%d csv_only=%d agi_p50_ms=%.2f agi_p99_ms=%.2f%n",
        done.size(), viaAgi, agiOk, done.size() - viaAgi, pct(micros, 50), pct(micros, 99));
    return agiOk == viaAgi ? 0 : 1;
  }

  static double pct(long[] sortedMicros, int p) {
    if (sortedMicros.length == 0) return 0;
    int i = (int) Math.ceil(p / 100.0 * sortedMicros.length) - 1;
    return sortedMicros[Math.max(0, i)] / 1000.0;
  }
}
