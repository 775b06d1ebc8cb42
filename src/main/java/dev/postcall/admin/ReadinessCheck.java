package dev.postcall.admin;

/**
 * One thing {@code /ready} asks: the database, the incident system, the AGI spool. {@link #check()}
 * returns a short detail when healthy and throws when not (the message is shown to the caller of
 * {@code /ready}, so it must not contain secrets).
 */
public interface ReadinessCheck {
  String name();

  /** A short detail ("ok", "12 calls spooled") or an exception saying what is wrong. */
  String check() throws Exception;

  static ReadinessCheck of(String name, java.util.concurrent.Callable<String> check) {
    return new ReadinessCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String check() throws Exception {
        return check.call();
      }
    };
  }
}
