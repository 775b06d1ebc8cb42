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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-in for the incident system: the real SOAP API of {@code wsdl/incident.wsdl} (CXF behind
 * Jetty, MTOM) on a loopback port, keeping objects in memory and attached files on disk, with
 * switches for tests and chaos runs: refuse connections, hang, fail with a fault, lose the
 * response after doing the work, answer slowly, carry a create out after the client gave up,
 * expire sessions. A read-only HTML listing is at
 * {@code /}. Build, {@link #start()}, {@link #close()}.
 *
 * <p>The endpoint is a CXF servlet in a Jetty server this class owns (rather than {@code
 * Endpoint.publish(url)}), so {@link #refuse()} can close the listening socket and {@link
 * #accept()} reopen it on the same port.
 */
public final class IncidentServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IncidentServer.class);
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
  private final SimulatedIncidentPort service;
  private final ChaosFilter chaos = new ChaosFilter();
  private final Path incoming;
  private volatile int boundPort;

  /**
   * @param host address to bind (127.0.0.1 unless you mean otherwise)
   * @param port TCP port, 0 for an ephemeral one (see {@link #port()} once started)
   * @param filesDir where attached files are written (created if missing)
   */
  public IncidentServer(String host, int port, Path filesDir, String user, String password) {
    this.incoming = filesDir.resolve(".incoming"); // CXF spools large attachments here before the service reads them
    try {
      Files.createDirectories(incoming);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + filesDir, e);
    }
    this.service = new SimulatedIncidentPort(user, password, filesDir);
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
    ctx.addServlet(new ServletHolder("listing", new ListingServlet(service)), "/");
    ctx.addFilter(new FilterHolder(chaos), PATH + "/*", EnumSet.of(DispatcherType.REQUEST));
    jetty.setHandler(ctx);
  }

  /** Starts listening and publishes the endpoint; returns this. */
  public IncidentServer start() {
    try {
      jetty.start();
    } catch (Exception e) {
      bus.shutdown(false);
      throw new IllegalStateException("incident simulator cannot listen on " + connector.getHost() + ":"
          + connector.getPort() + ": " + e.getMessage(), e);
    }
    boundPort = connector.getLocalPort();
    connector.setPort(boundPort); // accept() after refuse() reopens the same port
    EndpointImpl endpoint = new EndpointImpl(bus, service);
    // Attachments up to 2 MB (a 3-minute call's MP3 is ~720 kB) are parsed in memory and written
    // once, to the store; CXF's default (100 kB) spooled each one to a temporary file first, which
    // the store then copied — a second file per upload on the cores the benchmarks measure.
    // Larger ones (the 200 MB upload test) still go through a file in the attachment directory.
    endpoint.setProperties(Map.of("mtom-enabled", true, "attachment-directory", incoming.toString(),
        "attachment-memory-threshold", String.valueOf(2 * 1024 * 1024)));
    endpoint.publish("/");
    log.info("incident simulator listening at {}", url());
    return this;
  }

  /** Started on 127.0.0.1, ephemeral port: what tests use. */
  public static IncidentServer onLoopback(Path filesDir, String user, String password) {
    return new IncidentServer("127.0.0.1", 0, filesDir, user, password).start();
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

  /**
   * Request bodies are read at {@code bytesPerSecond} once their first {@code freeBytes} are in (0 =
   * full speed): an upload of a large recording over a slow link, while small requests pass as before.
   */
  public void readSlowly(long bytesPerSecond, long freeBytes) {
    chaos.readSlowly(bytesPerSecond, freeBytes);
  }

  /** The next {@code n} operations (other than login/logout) fail with a declared fault with this code. */
  public void failNext(int n, String faultCode) {
    service.failNext(n, faultCode);
  }

  /** Each operation (other than login/logout) fails with this probability (0 = off). */
  public void faultRate(double rate, String faultCode) {
    service.faultRate(rate, faultCode);
  }

  /** The next {@code n} creates happen, but their responses are lost (HTTP 503). */
  public void dropResponseAfterCreate(int n) {
    service.dropResponseAfterCreate(n);
  }

  /** The next {@code n} files are stored, but the responses are lost (HTTP 503). */
  public void dropResponseAfterAddFile(int n) {
    service.dropResponseAfterAddFile(n);
  }

  /**
   * The next {@code n} creates are held for {@code d} — set it longer than the client's receive
   * timeout — and then carried out although the client gave up: the object appears after the
   * client saw a timeout, while its retry may already be looking for it.
   */
  public void holdCreates(int n, Duration d) {
    service.holdCreates(n, d);
  }

  /** Forgets every session: the next call of each client gets SESSION_EXPIRED. */
  public void expireSessions() {
    service.expireSessions();
  }

  /** The attribute {@link #creates(String)} counts by (default {@code uniqueid}). */
  public void uniqueidAttribute(String name) {
    service.uniqueidAttribute(name);
  }

  // --- what happened ---

  /** Objects in creation order (removed ones left out). */
  public List<StoredObject> objects() {
    return service.objects();
  }

  /** Every object ever created, removed ones too, in creation order. */
  public List<StoredObject> created() {
    return service.created();
  }

  /** Objects removed through deleteObjectref: objectref → reason. */
  public Map<String, String> removed() {
    return service.removed();
  }

  /** Creates held by {@link #holdCreates} that have been carried out. */
  public int heldCreatesDone() {
    return service.heldCreatesDone();
  }

  /** How many objects were ever created for this uniqueid (removed ones too): more than 1 is a duplicate. */
  public int creates(String uniqueid) {
    return service.creates(uniqueid);
  }

  /** The same for the call of PBX {@code pbxId} (its {@code pbx_id} attribute): uniqueids repeat across PBXs. */
  public int creates(String pbxId, String uniqueid) {
    return service.creates(pbxId + "/" + uniqueid);
  }

  public List<StoredFile> files(String objectref) {
    return service.files(objectref);
  }

  public int logins() {
    return service.logins();
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
