package dev.postcall.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.incident.soap.IncidentFault;
import dev.postcall.incident.soap.IncidentPort;
import dev.postcall.incident.soap.KeyValuesPairSoap;
import dev.postcall.incident.soap.KeyValuesPairSoapArray;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.apache.cxf.jaxws.JaxWsProxyFactoryBean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator through its raw SOAP API (the generated client, no postcall logic in between). */
class IncidentServerIT {
  @TempDir Path tmp;
  private IncidentServer server;
  private IncidentPort port;

  @BeforeEach
  void start() {
    server = IncidentServer.onLoopback(tmp, "u", "p");
    JaxWsProxyFactoryBean f = new JaxWsProxyFactoryBean();
    f.setServiceClass(IncidentPort.class);
    f.setAddress(server.url());
    port = (IncidentPort) f.create();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void binds_loopback_on_an_ephemeral_port() {
    assertTrue(server.port() > 0);
    assertTrue(server.url().startsWith("http://127.0.0.1:" + server.port() + "/"));
  }

  @Test
  void counts_every_create_per_uniqueid_so_tests_can_see_duplicates() throws IncidentFault {
    String s = port.login("u", "p");
    String od = port.getObjectdef(s, port.getProcess(s, "telephony").getId(), "call", "1").getId();
    port.createObjectref(s, od, null, values("uniqueid", "9.1"));
    port.createObjectref(s, od, null, values("uniqueid", "9.1"));
    assertEquals(2, server.creates("9.1"));
    assertEquals(0, server.creates("9.2"));
  }

  @Test
  void find_only_matches_within_the_objectdef() throws IncidentFault {
    String s = port.login("u", "p");
    String od = port.getObjectdef(s, "p-telephony", "call", "1").getId();
    String ref = port.createObjectref(s, od, null, values("uniqueid", "9.3"));
    assertEquals(ref, port.findObjectref(s, od, "uniqueid", "9.3", null));
    assertEquals(null, port.findObjectref(s, "od-other", "uniqueid", "9.3", null));
  }

  @Test
  void wrong_credentials_and_unknown_sessions_get_declared_faults() {
    IncidentFault login = assertThrows(IncidentFault.class, () -> port.login("u", "wrong"));
    assertEquals("LOGIN_REFUSED", login.getFaultInfo().getCode());
    IncidentFault session = assertThrows(IncidentFault.class, () -> port.getProcess("s-made-up", "telephony"));
    assertEquals("SESSION_EXPIRED", session.getFaultInfo().getCode());
  }

  @Test
  void html_listing_shows_objects_escaped() throws Exception {
    String s = port.login("u", "p");
    port.createObjectref(s, "od-telephony-call-1", null, values("caller_number", "<script>2001"));
    HttpResponse<String> page = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("1 objects"), page.body());
    assertTrue(page.body().contains("&lt;script&gt;2001"), page.body());
  }

  private static KeyValuesPairSoapArray values(String key, String value) {
    KeyValuesPairSoap kv = new KeyValuesPairSoap();
    kv.setKey(key);
    kv.getValues().add(value);
    KeyValuesPairSoapArray a = new KeyValuesPairSoapArray();
    a.getItem().add(kv);
    return a;
  }
}
