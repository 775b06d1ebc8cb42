package dev.postcall.cdr;

import dev.postcall.config.ConfigException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which optional columns follow cdr_csv's 16 base columns. Asterisk appends them in a fixed order
 * when enabled in cdr.conf: {@code uniqueid} (loguniqueid), {@code userfield} (loguserfield), then
 * peeraccount, linkedid, sequence (newcdrcolumns) — so a row has 16 to 21 fields.
 *
 * <p>{@code csv.columns} is {@code auto}, a count ({@code 16}..{@code 21}; 17 and 20 mean
 * uniqueid without userfield) or the names joined by {@code +} ({@code uniqueid+userfield}).
 * {@code auto} decides per row by its field count; for 17 and 20 fields, where uniqueid and
 * userfield are both possible, it reads field 17 as a uniqueid when it looks like one
 * ({@code 1795386558.67}), else as a userfield.
 */
public record CsvLayout(boolean uniqueid, boolean userfield, boolean newColumns) {
  public static final int BASE = 16;
  private static final Pattern UNIQUEID_SHAPE = Pattern.compile("[0-9]+\\.[0-9]+");

  /** null means auto. */
  public static CsvLayout parse(String columns) {
    String v = columns == null ? "auto" : columns.trim().toLowerCase(Locale.ROOT);
    switch (v) {
      case "auto": return null;
      case "16": return new CsvLayout(false, false, false);
      case "17": return new CsvLayout(true, false, false);
      case "18": return new CsvLayout(true, true, false);
      case "19": return new CsvLayout(false, false, true);
      case "20": return new CsvLayout(true, false, true);
      case "21": return new CsvLayout(true, true, true);
      default: break;
    }
    boolean u = false, uf = false, n = false;
    for (String part : v.split("[+ ]+")) {
      switch (part) {
        case "base" -> { }
        case "uniqueid", "loguniqueid" -> u = true;
        case "userfield", "loguserfield" -> uf = true;
        case "newcdrcolumns" -> n = true;
        default -> throw new ConfigException("csv.columns",
            "expected auto, 16..21 or names such as uniqueid+userfield+newcdrcolumns, got '" + columns + "'");
      }
    }
    return new CsvLayout(u, uf, n);
  }

  public int count() {
    return BASE + (uniqueid ? 1 : 0) + (userfield ? 1 : 0) + (newColumns ? 3 : 0);
  }

  /** The layout of a row with {@code n} fields when the file's layout is not configured; null if none fits. */
  static CsvLayout detect(int n, String field17) {
    boolean looksLikeUniqueid = field17 != null && UNIQUEID_SHAPE.matcher(field17).matches();
    return switch (n) {
      case 16 -> new CsvLayout(false, false, false);
      case 17 -> new CsvLayout(looksLikeUniqueid, !looksLikeUniqueid, false);
      case 18 -> new CsvLayout(true, true, false);
      case 19 -> new CsvLayout(false, false, true);
      case 20 -> new CsvLayout(looksLikeUniqueid, !looksLikeUniqueid, true);
      case 21 -> new CsvLayout(true, true, true);
      default -> null;
    };
  }
}
