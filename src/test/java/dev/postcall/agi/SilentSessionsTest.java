package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The read-timeout watchdog, with time moved by the test: a read is cut only once it has waited too long. */
class SilentSessionsTest {
  private static final int TIMEOUT_MS = 10_000; // the watchdog's own ticks never reach it during the test

  @Test
  void a_read_waiting_longer_than_the_timeout_is_cut_and_reported_as_a_timeout() throws Exception {
    List<String> outcomes = new CopyOnWriteArrayList<>();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket accepted = server.accept();
        SilentSessions silent = new SilentSessions(TIMEOUT_MS);
        LogCapture logs = new LogCapture()) {
      AgiConnection conn = new AgiConnection(accepted, (o, n) -> outcomes.add(o));
      silent.watch(conn);
      CompletableFuture<String> read = CompletableFuture.supplyAsync(() -> {
        try {
          return conn.readLine();
        } catch (IOException e) {
          throw new RuntimeException(e);
        } finally {
          try {
            conn.close();
          } catch (IOException ignored) {
            // the test looks at the outcome
          }
        }
      });
      while (conn.silentFor(System.nanoTime()) == 0) Thread.sleep(1); // the read has started

      silent.checkOnce(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS / 2));
      Thread.sleep(50);
      assertTrue(!read.isDone(), "half the timeout: still reading");

      silent.checkOnce(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS) + 1_000_000);
      ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(5, TimeUnit.SECONDS));
      assertTrue(e.getCause().getCause() instanceof IOException, e.toString());
      assertEquals(List.of("timeout"), outcomes);
      assertTrue(logs.has("sent nothing for " + TIMEOUT_MS + " ms (read timeout)"), logs.lines().toString());
    }
  }

  @Test
  void a_connection_not_reading_is_never_cut() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket accepted = server.accept();
        SilentSessions silent = new SilentSessions(TIMEOUT_MS)) {
      client.getOutputStream().write("agi_request: agi://127.0.0.1/hangup\n".getBytes());
      AgiConnection conn = new AgiConnection(accepted, (o, n) -> { });
      assertEquals("agi_request: agi://127.0.0.1/hangup", conn.readLine()); // answered at once
      silent.watch(conn);
      silent.checkOnce(System.nanoTime() + TimeUnit.HOURS.toNanos(1)); // e.g. busy writing to the spool
      assertTrue(conn.isConnected(), "only a waiting read is cut");
    }
  }
}
