package dev.postcall.cli;

import dev.postcall.config.ConfigException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code postcall <command>}: the one entry point of the jar. */
// INHERIT: every subcommand answers --help and --version, even one added later without the flag.
@Command(name = "postcall", mixinStandardHelpOptions = true, version = "postcall 0.1", scope = CommandLine.ScopeType.INHERIT,
    description = "Delivers every call an Asterisk PBX finishes, with its recording, to the incident system.",
    subcommands = {
        RunCommand.class,
        SimulateCommand.class,
        IncidentSimCommand.class,
        BackfillCommand.class,
        DemoCommand.class,
        DoctorCommand.class,
        FailedCommand.class,
        StatsCommand.class,
        ConflictsCommand.class,
        VipCommand.class,
        CallsCommand.class,
        DbCommand.class,
    })
public final class Main {
  public static void main(String[] args) {
    int code = commandLine().execute(args);
    Logs.flush();
    System.exit(code);
  }

  /** The command line with postcall's error handling: a configuration error is one line and exit code 2. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .registerConverter(java.time.Duration.class, v -> {
          java.time.Duration d = dev.postcall.config.Settings.parseDuration(v);
          if (d == null) throw new picocli.CommandLine.TypeConversionException("expected a duration such as 50ms, 10s, 2m, got '" + v + "'");
          return d;
        })
        .setParameterExceptionHandler(Main::invalidInput)
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          if (e instanceof ConfigException) {
            cmd.getErr().println("postcall: configuration error: " + dev.postcall.config.Redact.secrets(e.getMessage()));
            return 2;
          }
          throw e;
        });
  }

  /**
   * A mistyped command line: the error, then the usage, exit code 2. A typo is named even when a
   * required option is missing too (picocli reports the missing one first, which hides the typo).
   */
  private static int invalidInput(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    String unknown = cmd.getUnmatchedArguments().stream().filter(a -> a.startsWith("-")).findFirst().orElse(null);
    err.println(unknown != null && !(e instanceof CommandLine.UnmatchedArgumentException)
        ? "Unknown option: '" + unknown + "'"
        : e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    cmd.usage(err, cmd.getColorScheme());
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }
}
