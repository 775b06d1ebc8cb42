package dev.postcall.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

import dev.postcall.queue.Stage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class SqlTest {
  @Test
  void deadlock_and_lock_wait_timeout_are_recognised_through_causes() {
    assertTrue(Sql.isDeadlock(new SQLTransactionRollbackException("Deadlock found", "40001", 1213)));
    assertTrue(Sql.isDeadlock(new RuntimeException(new SQLException("Lock wait timeout", "HY000", 1205))));
    assertFalse(Sql.isDeadlock(new SQLException("Duplicate entry", "23000", 1062)));
  }

  /** Regression: a deadlock in a job update left the job to its 5-minute lease (DeliveryIT two-pools run hung). */
  @Test
  void a_deadlocked_transaction_is_run_again_and_other_errors_are_not() throws Exception {
    DataSource ds = mock(DataSource.class);
    when(ds.getConnection()).thenAnswer(i -> mock(Connection.class));
    AtomicInteger runs = new AtomicInteger();
    String out = Sql.transaction(ds, c -> {
      if (runs.incrementAndGet() < 3) throw new SQLTransactionRollbackException("Deadlock found", "40001", 1213);
      return "done";
    });
    assertEquals("done", out);
    assertEquals(3, runs.get());

    AtomicInteger once = new AtomicInteger();
    assertThrows(SQLException.class, () -> Sql.transaction(ds, c -> {
      once.incrementAndGet();
      throw new SQLException("Duplicate entry", "23000", 1062);
    }));
    assertEquals(1, once.get());
  }

  @Test
  void bind_sets_an_instant_as_utc_text_an_enum_by_its_name_and_the_rest_as_objects() throws Exception {
    PreparedStatement ps = mock(PreparedStatement.class);
    assertEquals(ps, Sql.bind(ps, Instant.parse("2026-12-07T04:05:06.789Z"), Stage.ATTACH, 7, "x"));
    verify(ps).setString(1, "2026-12-07 04:05:06.789");
    verify(ps).setString(2, "ATTACH");
    verify(ps).setObject(3, 7);
    verify(ps).setObject(4, "x");
    verifyNoMoreInteractions(ps);
  }
}
