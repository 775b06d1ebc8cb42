package dev.postcall;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A port for a process a test starts later. Not {@code new ServerSocket(0)}: that port comes from
 * the kernel's ephemeral range, which every outgoing connection (the test database's included) also
 * draws from, so between closing it and the child binding it, a client socket may take it (seen:
 * ManyPbxChaos, "Port already in use" on a loaded machine). Ports below that range are handed out
 * only by tests: random, checked free, never twice in one JVM; integration-test forks rarely meet.
 */
public final class FreePorts {
  /** Below Linux's default ip_local_port_range (32768–60999). */
  private static final int LOW = 20_000;
  private static final int HIGH = 32_000;
  private static final Set<Integer> given = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  public static int next() {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
      if (!given.add(port)) continue;
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(true);
        return port;
      } catch (IOException taken) {
        // in use: try another
      }
    }
    throw new IllegalStateException("no free port in " + LOW + "-" + HIGH + " after 1000 tries");
  }
}
