package dev.postcall.cdr;

import dev.postcall.config.PostcallConfig;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides which Master.csv rows are calls. A real Asterisk writes several rows per call (see the
 * recorded src/test/resources/cdr/Master.csv): the caller's row(s), the {@code ;1} half of every Local channel, the outgoing leg
 * Dial created ({@code lastapp} AppDial/AppDial2, "(Outgoing Line)") and, when the callee runs
 * dialplan itself, a callee row in its own context. A row is a call when
 * <ul>
 *   <li>its {@code dcontext} is one of {@code csv.contexts} (empty: every context — set it to the
 *       contexts your callers' channels run in, which also leaves callee legs out),
 *   <li>its channel matches none of {@code csv.exclude-channels} (globs, {@code *} any text;
 *       default {@code Local/*;1}), and
 *   <li>its {@code lastapp} is none of {@code csv.exclude-apps} (default AppDial, AppDial2:
 *       outgoing legs created by Dial are the callee side of someone else's call).
 * </ul>
 */
public final class CallSelector {
  private final Set<String> contexts;
  private final List<Pattern> excludeChannels;
  private final Set<String> excludeApps;

  public CallSelector(List<String> contexts, List<String> excludeChannels, List<String> excludeApps) {
    this.contexts = Set.copyOf(contexts);
    this.excludeChannels = excludeChannels.stream().map(CallSelector::glob).toList();
    this.excludeApps = Set.copyOf(excludeApps.stream().map(a -> a.toLowerCase(java.util.Locale.ROOT)).toList());
  }

  public static CallSelector from(PostcallConfig.Csv csv) {
    return new CallSelector(csv.contexts(), csv.excludeChannels(), csv.excludeApps());
  }

  public boolean isCall(CdrRow r) {
    if (!contexts.isEmpty() && !contexts.contains(r.dcontext())) return false;
    for (Pattern p : excludeChannels) if (p.matcher(r.channel()).matches()) return false;
    return !excludeApps.contains(r.lastapp().toLowerCase(java.util.Locale.ROOT));
  }

  static Pattern glob(String g) {
    StringBuilder re = new StringBuilder();
    StringBuilder lit = new StringBuilder();
    for (char c : g.toCharArray()) {
      if (c == '*' || c == '?') {
        if (lit.length() > 0) re.append(Pattern.quote(lit.toString()));
        lit.setLength(0);
        re.append(c == '*' ? ".*" : ".");
      } else {
        lit.append(c);
      }
    }
    if (lit.length() > 0) re.append(Pattern.quote(lit.toString()));
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }
}
