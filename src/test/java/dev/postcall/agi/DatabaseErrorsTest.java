package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** What keeps a hangup in the spool (wait and retry) and what sends it to spool.rejected. */
class DatabaseErrorsTest {
  @Test
  void a_replica_not_yet_promoted_is_waited_for_not_a_refusal() {
    // PrimarySwitchChaos: two hangups that met the replica before its promotion went to spool.rejected
    assertTrue(DatabaseErrors.unreachable(new SQLException(
        "The MariaDB server is running with the --read-only option so it cannot execute this statement", "HY000", 1290)));
    assertTrue(DatabaseErrors.unreachable(new RuntimeException(new SQLException("read only mode", "HY000", 1836))));
  }

  @Test
  void connection_failures_and_a_schema_not_yet_migrated_are_waited_for() {
    assertTrue(DatabaseErrors.unreachable(new SQLException("Communications link failure", "08S01", 0)));
    assertTrue(DatabaseErrors.unreachable(new SQLException("Table 'postcall.calls' doesn't exist", "42S02", 1146)));
  }

  @Test
  void a_value_the_database_refuses_is_a_refusal() {
    assertFalse(DatabaseErrors.unreachable(new SQLException("Data too long for column 'caller'", "22001", 1406)));
    assertFalse(DatabaseErrors.unreachable(new SQLException("Deadlock found", "40001", 1213)));
  }
}
