package dev.postcall.bench;

import java.util.Locale;

/**
 * One line of the benchmark table. Every benchmark prints its results through this, and
 * {@code scripts/bench} gathers the {@code RESULT} lines of all runs into one table:
 * measure | postcall | baseline (measured in the same run) | ratio | target.
 */
public final class BenchResult {
  private BenchResult() {}

  public static void row(String measure, String postcall, String baseline, String ratio, String target) {
    System.out.println(String.join("\t", "RESULT", measure, postcall, baseline, ratio, target));
  }

  public static String num(double v, String unit) {
    return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.2f %s", v, unit).trim();
  }

  public static String ratio(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
