package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.postcall.MutableClock;
import dev.postcall.queue.CallStore;
import java.nio.file.Path;
import java.sql.SQLNonTransientConnectionException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The drainer's decisions in an outage (the real-database path is in SpoolIT). */
class SpoolDrainerTest {
  @TempDir Path dir;

  @Test
  void in_an_outage_the_leftover_file_is_not_read_again_until_the_database_answers() throws Exception {
    Spool spool = spy(new Spool(dir, new MutableClock(Instant.parse("2026-11-23T10:00:00Z"))));
    spool.append(SpoolTest.call("50.1"), "hangup");
    spool.append(SpoolTest.call("50.2"), "hangup");
    assertNotNull(spool.takeForDrain()); // what the first step of the outage left behind
    CallStore store = mock(CallStore.class);
    CaptureWriter writer = mock(CaptureWriter.class);
    when(writer.healthy()).thenReturn(false);
    doThrow(new SQLNonTransientConnectionException("Connection refused", "08001")).when(store).insertAll(anyList());
    SpoolDrainer drainer = new SpoolDrainer(spool, store, writer);

    for (int step = 0; step < 3; step++) assertEquals(0, drainer.drainOnce(false));
    verify(spool, never()).read(any()); // sessions appending meanwhile never wait for a read
    assertEquals(2, spool.size(), "nothing lost while the database is away");

    doAnswer(inv -> {
      List<?> calls = inv.getArgument(0);
      return calls.stream().map(c -> true).toList(); // every call new
    }).when(store).insertAll(anyList());
    assertEquals(2, drainer.drainOnce(false), "back: the leftover goes in");
    verify(spool, times(1)).read(dir.resolve(Spool.DRAINING));
    verify(writer).databaseAnswered();
    assertNull(spool.leftover());
    assertEquals(0, spool.size());
    spool.close();
  }
}
