package dev.postcall.cli;

import dev.postcall.config.PostcallConfig;
import dev.postcall.db.Database;
import dev.postcall.route.CallerNumbers;
import dev.postcall.route.VipNumbers;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code postcall vip add|remove|list|import}: the callers the route script marks VIP. Numbers are
 * normalised with the route settings before they are stored, as callers' numbers are before they
 * are looked up; the running service picks changes up within {@code route.refresh}.
 */
@Command(name = "vip", mixinStandardHelpOptions = true, description = "Manage the VIP callers (POSTCALL_VIP, POSTCALL_PRIORITY).",
    subcommands = {VipCommand.Add.class, VipCommand.Remove.class, VipCommand.ListCmd.class, VipCommand.Import.class})
final class VipCommand {
  static VipNumbers vips(PostcallConfig cfg, Database db) {
    PostcallConfig.Route r = cfg.route();
    return new VipNumbers(db.dataSource(), new CallerNumbers(r.stripPrefixes(), r.keepDigits()), Clock.systemUTC());
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Add numbers to the VIP list.")
  static final class Add extends AdminCommand {
    @Parameters(arity = "1..*", paramLabel = "NUMBER")
    List<String> numbers;

    @Option(names = "--note", description = "Why (shown by list).")
    String note;

    @Override
    int run(PostcallConfig cfg, Database db, PrintWriter out) throws Exception {
      VipNumbers v = vips(cfg, db);
      for (String n : numbers) out.println((v.add(n, note) ? "added " : "already VIP ") + n);
      return 0;
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove numbers from the VIP list.")
  static final class Remove extends AdminCommand {
    @Parameters(arity = "1..*", paramLabel = "NUMBER")
    List<String> numbers;

    @Override
    int run(PostcallConfig cfg, Database db, PrintWriter out) throws Exception {
      VipNumbers v = vips(cfg, db);
      int missing = 0;
      for (String n : numbers) {
        boolean removed = v.remove(n);
        if (!removed) missing++;
        out.println((removed ? "removed " : "not on the list: ") + n);
      }
      return missing == 0 ? 0 : 1;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "The VIP list (numbers as stored, normalised).")
  static final class ListCmd extends AdminCommand {
    @Override
    int run(PostcallConfig cfg, Database db, PrintWriter out) throws Exception {
      List<VipNumbers.Vip> all = vips(cfg, db).list();
      if (json) {
        printJson(out, all);
        return 0;
      }
      for (VipNumbers.Vip v : all)
        out.printf("%-20s %s  %s%n", v.number(), v.addedAt(), v.note() == null ? "" : ConflictsCommand.clean(v.note()));
      out.printf("%d VIP number(s)%n", all.size());
      return 0;
    }
  }

  /**
   * One number per line, in the first column of a CSV (a second column is the note); a header line
   * and blank lines are skipped. Lines without a number are reported by line number and the rest is
   * imported: exit 1 if any was refused.
   */
  @Command(name = "import", mixinStandardHelpOptions = true, description = "Add the numbers of a CSV file (first column; second: note).")
  static final class Import extends AdminCommand {
    @Parameters(paramLabel = "FILE.csv")
    Path file;

    @Override
    int run(PostcallConfig cfg, Database db, PrintWriter out) throws Exception {
      VipNumbers v = vips(cfg, db);
      int added = 0;
      int already = 0;
      List<String> refused = new ArrayList<>();
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String line;
        int no = 0;
        while ((line = in.readLine()) != null) {
          no++;
          if (line.isBlank()) continue;
          String[] cols = line.split("[,;\\t]", 2);
          String number = unquote(cols[0]);
          String note = cols.length > 1 ? unquote(cols[1]) : null;
          if (no == 1 && number.chars().noneMatch(Character::isDigit)) continue; // a header
          try {
            if (v.add(number, note)) added++;
            else already++;
          } catch (IllegalArgumentException e) {
            refused.add("line " + no + ": " + e.getMessage());
          }
        }
      }
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("added", added);
        m.put("already", already);
        m.put("refused", refused);
        printJson(out, m);
      } else {
        for (String r : refused) out.println("refused " + ConflictsCommand.clean(r));
        out.printf("%d added, %d already VIP, %d refused%n", added, already, refused.size());
      }
      return refused.isEmpty() ? 0 : 1;
    }

    private static String unquote(String s) {
      s = s.strip();
      if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) s = s.substring(1, s.length() - 1).strip();
      return s;
    }
  }
}
