package dev.postcall.cdr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** When the Master.csv import may use LOAD DATA LOCAL, and when it falls back to INSERTs. */
class LocalInfileTest {
  @Test
  void load_data_needs_both_the_connection_and_the_server() {
    assertEquals(LocalInfile.Mode.LOAD_DATA, LocalInfile.decide(true, true));
    assertEquals(LocalInfile.Mode.INSERT, LocalInfile.decide(true, false), "server has local_infile=OFF");
    assertEquals(LocalInfile.Mode.INSERT, LocalInfile.decide(false, true), "not a csvImport() connection");
    assertEquals(LocalInfile.Mode.INSERT, LocalInfile.decide(false, false));
  }

  @Test
  void the_servers_refusals_are_recognised_and_other_errors_are_not() {
    assertTrue(LocalInfile.isRefusal(new SQLException("The used command is not allowed because the MariaDB server or client"
        + " has disabled the local infile capability", "HY000", 4166)));
    assertTrue(LocalInfile.isRefusal(new SQLException("The used command is not allowed with this MariaDB version", "42000", 1148)));
    assertTrue(LocalInfile.isRefusal(new SQLException("Loading local data is disabled", "42000", 3948)));
    assertFalse(LocalInfile.isRefusal(new SQLException("Duplicate entry", "23000", 1062)));
    assertFalse(LocalInfile.isRefusal(new SQLException("Lock wait timeout", "HY000", 1205)));
  }
}
