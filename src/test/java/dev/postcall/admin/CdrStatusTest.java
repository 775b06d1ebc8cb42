package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code cdr show status} of Asterisk 22.10.1 (the kit in ../shared/pbx), as doctor reads it. */
class CdrStatusTest {
  static String status(String backends) {
    return """

        Call Detail Record (CDR) settings
        ----------------------------------
          Logging:                    Enabled
          Mode:                       Simple
          Log calls by default:       Yes
          Log unanswered calls:       Yes
          Log congestion:             Yes

          Ignore bridging changes:    No

          Ignore dial state changes:  No

          Cancel disposition enabled: No

        * Registered Backends
          -------------------
        """ + backends;
  }

  @Test
  void names_the_registered_backends() {
    assertEquals(List.of("csv"), Doctor.registeredBackends(status("    csv\n")));
    assertEquals(List.of("csv", "cdr_manager"), Doctor.registeredBackends(status("    csv\n    cdr_manager (suspended)\n")));
  }

  @Test
  void none_is_no_backend() {
    assertEquals(List.of(), Doctor.registeredBackends(status("    (none)\n")));
    assertEquals(List.of(), Doctor.registeredBackends(""));
  }
}
