package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The committer ends a session only once the writer has its call, and reports a write that hangs (for /ready). */
class SessionCommitterTest {
  private static final long STUCK = TimeUnit.SECONDS.toNanos(5);

  @Test
  void a_batch_stuck_on_its_way_to_disk_is_reported_and_its_socket_closes_only_after() throws Exception {
    CountDownLatch disk = new CountDownLatch(1);
    CaptureWriter writer = mock(CaptureWriter.class);
    when(writer.captureAll(any())).thenAnswer(inv -> {
      disk.await();
      return List.of(new CaptureWriter.Outcome(CaptureWriter.Result.ACCEPTED, null));
    });
    List<SessionCommitter.Finished> closed = new CopyOnWriteArrayList<>();
    SessionCommitter committer = new SessionCommitter(new HangupCallBuilder(ZoneId.of("UTC")), writer, closed::add,
        dev.postcall.route.RouteIndex.disabled());
    try (SocketChannel socket = SocketChannel.open()) {
      HangupSession s = new HangupSession(InetAddress.getLoopbackAddress(), 40_000, InetAddress.getLoopbackAddress(), 4573, 0);
      AgiProtocol protocol = new AgiProtocol();
      s.received(ByteBuffer.wrap("agi_network_script: hangup\nagi_uniqueid: 1.5\n\n".getBytes(StandardCharsets.UTF_8)), 1, protocol);
      assertEquals(HangupSession.Step.FINISHED, s.ended(protocol));
      committer.commit(List.of(new SessionCommitter.Finished(s, socket)));

      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (committer.problem(System.nanoTime() + TimeUnit.HOURS.toNanos(1), STUCK) == null && System.nanoTime() < until)
        Thread.sleep(1);
      assertNull(committer.problem(System.nanoTime(), STUCK), "busy, but not for long yet");
      String problem = committer.problem(System.nanoTime() + TimeUnit.SECONDS.toNanos(6), STUCK);
      assertTrue(problem != null && problem.startsWith("a spool write has taken 6"), problem);
      assertTrue(socket.isOpen() && closed.isEmpty(), "not ended before its call is durable");

      disk.countDown();
      while (socket.isOpen() && System.nanoTime() < until + TimeUnit.SECONDS.toNanos(5)) Thread.sleep(1);
      assertEquals(1, closed.size());
      assertFalse(socket.isOpen());
      assertEquals(SessionOutcome.ACCEPTED, s.outcome());
      // the batch ends just after its sockets close
      while (committer.problem(System.nanoTime() + TimeUnit.HOURS.toNanos(1), STUCK) != null
          && System.nanoTime() < until + TimeUnit.SECONDS.toNanos(5)) Thread.sleep(1);
      assertNull(committer.problem(System.nanoTime() + TimeUnit.HOURS.toNanos(1), STUCK), "idle again");
    } finally {
      committer.close();
    }
  }
}
