package dev.postcall.cli;

import dev.postcall.admin.AsteriskCli;
import dev.postcall.admin.Doctor;
import dev.postcall.config.PostcallConfig;
import dev.postcall.incident.SoapIncidentSystem;
import dev.postcall.db.Database;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code postcall doctor}: everything postcall depends on, checked on the PBX host; exit 1 if anything needs fixing. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
    description = "Check Asterisk's CDR settings, Master.csv, recordings, FastAGI, database, incident system, disk and clock.")
final class DoctorCommand implements Callable<Integer> {
  @Mixin
  AdminDb db;

  @Option(names = "--asterisk-etc", defaultValue = "/etc/asterisk", description = "Asterisk's configuration folder (default: ${DEFAULT-VALUE}).")
  Path asteriskEtc;

  @Option(names = "--asterisk", paramLabel = "BINARY", defaultValue = "asterisk",
      description = "Asterisk's binary, asked over its control socket (asterisk -C <asterisk-etc>/asterisk.conf -rx) which"
          + " CDR backends the running Asterisk has loaded (default: ${DEFAULT-VALUE} on PATH or in /usr/sbin).")
  String asteriskBinary;

  @Option(names = "--json", description = "Machine-readable output.")
  boolean json;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PostcallConfig cfg;
    try {
      cfg = db.load();
    } catch (RuntimeException e) {
      out.println(json ? AdminDb.JSON.writeValueAsString(List.of(new Doctor.Finding("configuration", false, e.getMessage(),
          "fix the key named in the message")))
          : "PROBLEM  configuration: " + e.getMessage());
      out.flush();
      return 1;
    }
    Doctor doctor = new Doctor(cfg, asteriskEtc, AsteriskCli.find(asteriskBinary, asteriskEtc, Duration.ofSeconds(5)),
        Path.of("/proc"), Clock.systemUTC());
    List<Doctor.Finding> findings = new ArrayList<>(doctor.local());
    // only a configured server: doctor must not start an embedded one of its own
    if (cfg.db().embedded()) {
      findings.add(new Doctor.Finding("database", true, "embedded (db.url unset): checked when the service runs", null));
    } else {
      Database[] opened = new Database[1];
      try {
        findings.addAll(doctor.database(() -> {
          opened[0] = Database.open(cfg.db().url(), cfg.db().user(), cfg.db().password(), 1, cfg.db().connectTimeout());
          return opened[0].dataSource();
        }));
      } finally {
        if (opened[0] != null) opened[0].close();
      }
    }
    findings.add(doctor.incident(new SoapIncidentSystem(cfg.incident())));
    boolean allOk = findings.stream().allMatch(Doctor.Finding::ok);
    if (json) {
      out.println(AdminDb.JSON.writeValueAsString(findings));
    } else {
      for (Doctor.Finding f : findings) {
        out.printf("%-7s  %s: %s%n", f.ok() ? "OK" : "PROBLEM", f.check(), f.detail());
        if (!f.ok()) out.printf("         fix: %s%n", f.fix());
      }
      long problems = findings.stream().filter(f -> !f.ok()).count();
      out.println(allOk ? "all " + findings.size() + " checks OK" : problems + " of " + findings.size() + " checks need fixing");
    }
    out.flush();
    return allOk ? 0 : 1;
  }
}
