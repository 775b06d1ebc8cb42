package dev.postcall.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether the server listening on a loopback TCP port is the process whose pid a pid file names —
 * told from the kernel's socket tables ({@code /proc/net/tcp}, {@code tcp6}) and that process's
 * open files, before a single byte is exchanged. Any local account can listen on a free port; only
 * the embedded MariaDB postcall started writes its pid file into postcall's own folder.
 */
final class ServerPidCheck {
  private static final int LISTEN = 0x0A;
  private final Path procNet;
  private final Path proc;

  ServerPidCheck() {
    this(Path.of("/proc/net"), Path.of("/proc"));
  }

  ServerPidCheck(Path procNet, Path proc) {
    this.procNet = procNet;
    this.proc = proc;
  }

  /** Null when every loopback listener on {@code port} belongs to the pid in {@code pidFile}; else why not. */
  String problem(int port, Path pidFile) {
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.US_ASCII).strip());
    } catch (IOException | NumberFormatException e) {
      return "no pid file of the embedded MariaDB (" + pidFile + ")";
    }
    Set<Long> listeners;
    try {
      listeners = listeningInodes(port);
    } catch (IOException e) {
      return "cannot read the socket table: " + e.getMessage();
    }
    if (listeners.isEmpty()) return "nothing listens on 127.0.0.1:" + port;
    Set<Long> held = socketsOf(pid);
    for (long inode : listeners) {
      if (!held.contains(inode)) return "127.0.0.1:" + port + " is held by another process, not the embedded MariaDB (pid " + pid + ")";
    }
    return null;
  }

  /** Inodes of the listening sockets a connection to 127.0.0.1:port could reach. */
  Set<Long> listeningInodes(int port) throws IOException {
    Set<Long> out = new HashSet<>();
    for (String table : List.of("tcp", "tcp6")) {
      Path f = procNet.resolve(table);
      if (!Files.exists(f)) continue;
      List<String> lines = Files.readAllLines(f, StandardCharsets.US_ASCII);
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        String[] c = line.trim().split("\\s+");
        if (c.length < 10) continue;
        int colon = c[1].lastIndexOf(':');
        String addr = c[1].substring(0, colon).toUpperCase(Locale.ROOT);
        int lport = Integer.parseInt(c[1].substring(colon + 1), 16);
        if (lport != port || Integer.parseInt(c[3], 16) != LISTEN || !reachesLoopback(addr)) continue;
        out.add(Long.parseLong(c[9]));
      }
    }
    return out;
  }

  /** 127.0.0.1, any IPv4 address, any IPv6 address, or ::ffff:127.0.0.1 (the kernel's byte order). */
  private static boolean reachesLoopback(String hex) {
    return hex.equals("0100007F") || hex.equals("00000000") || hex.equals("00000000000000000000000000000000")
        || hex.equals("0000000000000000FFFF00000100007F");
  }

  private Set<Long> socketsOf(long pid) {
    Set<Long> out = new HashSet<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve(Long.toString(pid)).resolve("fd"))) {
      for (Path fd : fds) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) out.add(Long.parseLong(target.substring(8, target.length() - 1)));
        } catch (IOException | NumberFormatException closedMeanwhile) {
          // the descriptor went away while listing: not a listener we care about
        }
      }
    } catch (IOException gone) {
      // no such process (or not ours to inspect): it holds nothing we can vouch for
    }
    return out;
  }
}
