package dev.postcall;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/** Walks an exception's cause chain; a cause that points back into the chain ends it. */
public final class Causes {
  private Causes() {}

  /** {@code e}, its cause, that one's cause, … each once. Empty for null. */
  public static List<Throwable> chain(Throwable e) {
    List<Throwable> out = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) out.add(t);
    return out;
  }

  /** The innermost cause ({@code e} itself without one); null for null. */
  public static Throwable root(Throwable e) {
    List<Throwable> c = chain(e);
    return c.isEmpty() ? null : c.get(c.size() - 1);
  }

  /** The first throwable of the chain that is a {@code type}. */
  public static <T extends Throwable> Optional<T> find(Throwable e, Class<T> type) {
    return chain(e).stream().filter(type::isInstance).map(type::cast).findFirst();
  }

  /** Whether any throwable of the chain matches. */
  public static boolean any(Throwable e, Predicate<Throwable> test) {
    return chain(e).stream().anyMatch(test);
  }
}
