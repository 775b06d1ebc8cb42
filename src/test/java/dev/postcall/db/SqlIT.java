package dev.postcall.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.TestDb;
import dev.postcall.queue.JobState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SqlIT {
  static TestDb db;

  @BeforeAll
  static void up() {
    db = TestDb.create();
  }

  @AfterAll
  static void down() {
    db.close();
  }

  @Test
  void scalar_long_binds_enums_by_name_instants_to_the_millisecond_and_the_rest_as_they_are() throws Exception {
    try (Connection c = db.ds().getConnection()) {
      assertEquals(1, Sql.scalarLong(c, "SELECT ? = 'FAILED'", JobState.FAILED));
      assertEquals(250_000, Sql.scalarLong(c, "SELECT TIMESTAMPDIFF(MICROSECOND, ?, '2026-12-07 04:00:00.250')",
          Instant.parse("2026-12-07T04:00:00Z")));
      assertEquals(42, Sql.scalarLong(c, "SELECT ? + ?", 40, 2L));
      assertEquals(3, Sql.scalarLong(c, "SELECT LENGTH(?)", "abc"));
    }
  }

  @Test
  void scalar_long_reads_a_count_and_null_as_zero() throws Exception {
    try (Connection c = db.ds().getConnection()) {
      assertEquals(0, Sql.scalarLong(c, "SELECT COUNT(*) FROM jobs WHERE state = ?", JobState.DONE));
      assertEquals(0, Sql.scalarLong(c, "SELECT MAX(id) FROM calls"));
    }
  }

  @Test
  void scalar_long_without_a_row_is_an_error_naming_the_query() throws Exception {
    try (Connection c = db.ds().getConnection()) {
      SQLException e = assertThrows(SQLException.class, () -> Sql.scalarLong(c, "SELECT 1 FROM DUAL WHERE 1 = 0"));
      assertTrue(e.getMessage().contains("SELECT 1 FROM DUAL WHERE 1 = 0"), e.getMessage());
    }
  }
}
