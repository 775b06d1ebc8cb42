package dev.postcall.cli;

import dev.postcall.service.PostcallService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.TestDb;
import dev.postcall.config.ConfigException;
import dev.postcall.config.PostcallConfig;
import dev.postcall.incident.SoapIncidentSystem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up problems are one line naming the key. */
class ServiceStartIT {
  @TempDir Path tmp;

  @Test
  void a_fastagi_port_in_use_is_one_line_naming_agi_port() throws Exception {
    try (TestDb db = TestDb.create();
        ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      PostcallConfig cfg = db.serviceConfig(tmp, "http://127.0.0.1:1/incident",
          Map.of("agi.port", Integer.toString(taken.getLocalPort()), "roles", "agi"));
      PostcallService service = new PostcallService(cfg, Clock.systemUTC(), SoapIncidentSystem::new);
      try {
        ConfigException e = assertThrows(ConfigException.class, service::start);
        assertTrue(e.getMessage().startsWith("agi.port: cannot listen for FastAGI on 127.0.0.1:" + taken.getLocalPort()),
            e.getMessage());
        assertTrue(e.getMessage().contains("in use"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        // what Main prints for it: one line, exit code 2
        StringWriter err = new StringWriter();
        var cmd = Main.commandLine();
        cmd.setErr(new PrintWriter(err));
        int rc = cmd.getExecutionExceptionHandler().handleExecutionException(e, cmd, null);
        assertEquals(2, rc);
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
      } finally {
        service.close();
      }
    }
  }
}
