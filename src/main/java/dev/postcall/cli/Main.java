package dev.postcall.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code postcall <command>}: the one entry point of the jar. */
@Command(name = "postcall", mixinStandardHelpOptions = true, version = "postcall 0.1",
    description = "Delivers every call an Asterisk PBX finishes, with its recording, to the incident system.",
    subcommands = {
        RunCommand.class,
        FailedCommand.class,
        StatsCommand.class,
    })
public final class Main {
  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
  }
}
