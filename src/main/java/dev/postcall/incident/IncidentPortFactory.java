package dev.postcall.incident;

import dev.postcall.config.PostcallConfig;
import dev.postcall.incident.soap.IncidentPort;
import jakarta.xml.ws.BindingProvider;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.TrustManagerFactory;
import org.apache.cxf.Bus;
import org.apache.cxf.BusFactory;
import org.apache.cxf.configuration.jsse.TLSClientParameters;
import org.apache.cxf.endpoint.Client;
import org.apache.cxf.frontend.ClientProxy;
import org.apache.cxf.jaxws.JaxWsProxyFactoryBean;
import org.apache.cxf.transport.http.HTTPConduit;
import org.apache.cxf.transport.http.HTTPConduitFactory;
import org.apache.cxf.transport.http.URLConnectionHTTPConduit;
import org.apache.cxf.transports.http.configuration.HTTPClientPolicy;

/**
 * Builds the CXF client proxy once, with everything set up front: MTOM on, timeouts and TLS on the
 * conduit. The conduit is never changed afterwards and the request context is thread-local, which
 * is what makes one proxy safe to share between worker threads (CXF proxies are thread-safe for
 * invocations; a shared request context changed per call is what is not).
 */
final class IncidentPortFactory {
  private IncidentPortFactory() {}

  static IncidentPort create(PostcallConfig.Incident cfg) {
    TLSClientParameters tls = cfg.url().startsWith("https://") ? tls(cfg) : null; // a bad trust store fails first
    JaxWsProxyFactoryBean f = new JaxWsProxyFactoryBean();
    f.setBus(clientBus());
    f.setServiceClass(IncidentPort.class);
    f.setAddress(cfg.url());
    // MTOM: addFile's DataHandler travels as a multipart/related attachment, streamed from disk
    f.setProperties(Map.of("mtom-enabled", Boolean.TRUE));
    IncidentPort port = (IncidentPort) f.create();
    Client client = ClientProxy.getClient(port);
    HTTPConduit conduit = (HTTPConduit) client.getConduit();
    HTTPClientPolicy policy = new HTTPClientPolicy();
    policy.setConnectionTimeout(cfg.connectTimeout().toMillis());
    policy.setReceiveTimeout(cfg.receiveTimeout().toMillis());
    // chunked: the request body (a 200 MB recording) is streamed, never buffered to learn its length
    policy.setAllowChunking(true);
    conduit.setClient(policy);
    if (tls != null) conduit.setTlsClientParameters(tls);
    // per-call settings (addFile's longer timeout) go into a per-thread request context, so one
    // thread's upload budget never leaks into another thread's call
    ((BindingProvider) port).getRequestContext().put("thread.local.request.context", "true");
    return port;
  }

  /**
   * A bus of our own whose conduits are {@link URLConnectionHTTPConduit}s. CXF 4 defaults to a
   * conduit on java.net.http.HttpClient, which hands every request body to its own threads through a
   * pipe: CPU taken from the cores ffmpeg needs. Own bus, so a SOAP server in the same JVM (the
   * simulator) is not affected.
   */
  private static Bus clientBus() {
    Bus bus = BusFactory.newInstance().createBus();
    bus.setExtension((HTTPConduitFactory) (factory, b, endpoint, target) -> new URLConnectionHTTPConduit(b, endpoint, target),
        HTTPConduitFactory.class);
    return bus;
  }

  private static TLSClientParameters tls(PostcallConfig.Incident cfg) {
    TLSClientParameters tls = new TLSClientParameters();
    if (cfg.trustStore() == null) return tls; // the JDK's default trust store
    try {
      char[] password = cfg.trustStorePassword().isEmpty() ? null : cfg.trustStorePassword().toCharArray();
      KeyStore ks = KeyStore.getInstance(cfg.trustStore().toFile(), password); // JKS or PKCS12, detected
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      tls.setTrustManagers(tmf.getTrustManagers());
      return tls;
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new IncidentException("cannot load incident.truststore " + cfg.trustStore() + ": " + e.getMessage(), false, null, e);
    }
  }
}
