package dev.postcall.sim;

import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.cxf.Bus;
import org.apache.cxf.BusFactory;
import org.apache.cxf.jaxws.EndpointImpl;
import org.apache.cxf.transport.servlet.CXFNonSpringServlet;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A stand-in for the incident system: the real SOAP API of {@code wsdl/incident.wsdl} (CXF behind
 * Jetty, MTOM) on a loopback port, keeping objects in memory and attached files on disk, with
 * switches for tests and chaos runs: refuse connections, hang, fail with a fault, lose the
 * response after doing the work, answer slowly, expire sessions. A read-only HTML listing is at
 * {@code /}.
 *
 * <p>The endpoint is a CXF servlet in a Jetty server this class owns (rather than {@code
 * Endpoint.publish(url)}), so {@link #refuse()} can close the listening socket and {@link
 * #accept()} reopen it on the same port.
 */
public final class IncidentServer implements AutoCloseable {
  public static final String PATH = "/incident";

  /** An object as created: its objectdef, parent and attributes (name → values). */
  public record StoredObject(String objectref, String objectdef, String parent, Map<String, List<String>> attributes) {
    public String first(String attribute) {
      List<String> v = attributes.getOrDefault(attribute, List.of());
      return v.isEmpty() ? null : v.get(0);
    }
  }

  /** A file attached to an object, stored at {@code path}; {@code contentType} is the request's (MTOM: multipart/related). */
  public record StoredFile(String objectref, String attribute, String srcname, Path path, long bytes, String contentType) {}

  private final Server jetty;
  private final ServerConnector connector;
  private final Bus bus;
  private final SimulatedIncidentPort port;
  private final ChaosFilter chaos = new ChaosFilter();
  private volatile int boundPort;

  /**
   * @param host address to bind (127.0.0.1 unless you mean otherwise)
   * @param port TCP port, 0 for an ephemeral one (see {@link #port()})
   * @param filesDir where attached files are written (created if missing)
   */
  public IncidentServer(String host, int port, Path filesDir, String user, String password) {
    try {
      Files.createDirectories(filesDir.resolve(".incoming"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + filesDir, e);
    }
    this.port = new SimulatedIncidentPort(user, password, filesDir);
    QueuedThreadPool threads = new QueuedThreadPool(64, 4);
    threads.setName("incident-sim");
    this.jetty = new Server(threads);
    this.connector = new ServerConnector(jetty);
    connector.setHost(host);
    connector.setPort(port);
    jetty.addConnector(connector);
    this.bus = BusFactory.newInstance().createBus();
    CXFNonSpringServlet cxf = new CXFNonSpringServlet();
    cxf.setBus(bus);
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.setContextPath("/");
    ServletHolder soap = new ServletHolder("cxf", cxf);
    soap.setInitOrder(1);
    ctx.addServlet(soap, PATH + "/*");
    ctx.addServlet(new ServletHolder("listing", new ListingServlet(this.port)), "/");
    ctx.addFilter(new FilterHolder(chaos), PATH + "/*", EnumSet.of(DispatcherType.REQUEST));
    jetty.setHandler(ctx);
    try {
      jetty.start();
    } catch (Exception e) {
      bus.shutdown(false);
      throw new IllegalStateException("incident simulator cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    boundPort = connector.getLocalPort();
    connector.setPort(boundPort); // accept() after refuse() reopens the same port
    EndpointImpl endpoint = new EndpointImpl(bus, this.port);
    endpoint.setProperties(Map.of("mtom-enabled", true,
        "attachment-directory", filesDir.resolve(".incoming").toString()));
    endpoint.publish("/");
  }

  /** Convenience: 127.0.0.1, ephemeral port. */
  public static IncidentServer onLoopback(Path filesDir, String user, String password) {
    return new IncidentServer("127.0.0.1", 0, filesDir, user, password);
  }

  public int port() {
    return boundPort;
  }

  /** The SOAP endpoint's URL, for {@code incident.url}. */
  public String url() {
    return "http://" + connector.getHost() + ":" + boundPort + PATH;
  }

  // --- switches ---

  /** Stops listening: new connections are refused until {@link #accept()}. */
  public void refuse() {
    try {
      connector.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot close the listening socket", e);
    }
  }

  /** Listens again on the same port. */
  public void accept() {
    try {
      connector.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot reopen port " + boundPort, e);
    }
  }

  /** While on, requests are accepted and never answered (until off or close). */
  public void hang(boolean on) {
    chaos.hang(on);
  }

  /** Every request waits this long before it is handled. */
  public void delay(Duration d) {
    chaos.delay(d);
  }

  /** The next {@code n} operations (other than login/logout) fail with a declared fault with this code. */
  public void failNext(int n, String faultCode) {
    port.failNext(n, faultCode);
  }

  /** Each operation (other than login/logout) fails with this probability (0 = off). */
  public void faultRate(double rate, String faultCode) {
    port.faultRate(rate, faultCode);
  }

  /** The next {@code n} creates happen, but their responses are lost (HTTP 503). */
  public void dropResponseAfterCreate(int n) {
    port.dropResponseAfterCreate(n);
  }

  /** The next {@code n} files are stored, but the responses are lost (HTTP 503). */
  public void dropResponseAfterAddFile(int n) {
    port.dropResponseAfterAddFile(n);
  }

  /** Forgets every session: the next call of each client gets SESSION_EXPIRED. */
  public void expireSessions() {
    port.expireSessions();
  }

  /** The attribute {@link #creates(String)} counts by (default {@code uniqueid}). */
  public void uniqueidAttribute(String name) {
    port.uniqueidAttribute(name);
  }

  // --- what happened ---

  /** Objects in creation order. */
  public List<StoredObject> objects() {
    return port.objects();
  }

  /** How many objects were created for this uniqueid: more than 1 is a duplicate. */
  public int creates(String uniqueid) {
    return port.creates(uniqueid);
  }

  public List<StoredFile> files(String objectref) {
    return port.files(objectref);
  }

  public int logins() {
    return port.logins();
  }

  @Override
  public void close() {
    chaos.close();
    try {
      jetty.stop();
    } catch (Exception e) {
      // stopping a test server: nothing useful to do with the error
    } finally {
      bus.shutdown(false);
    }
  }
}
