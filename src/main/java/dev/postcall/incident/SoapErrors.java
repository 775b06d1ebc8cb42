package dev.postcall.incident;

import dev.postcall.Causes;
import dev.postcall.incident.IncidentException.Outcome;
import dev.postcall.incident.soap.FaultDetail;
import dev.postcall.incident.soap.IncidentFault;
import jakarta.xml.ws.soap.SOAPFaultException;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.util.Set;
import javax.xml.namespace.QName;
import org.apache.cxf.transport.http.HTTPException;

/**
 * Turns whatever CXF threw into an {@link IncidentException} that says whether a retry can help.
 * Retryable: connection refused or reset, timeouts, HTTP 5xx/408/429, a SOAP Server fault without
 * detail, and declared faults whose code is configured as transient. Not retryable: other declared
 * faults (VALIDATION, NOT_FOUND …), other HTTP 4xx, SOAP Client faults. Separately, the {@link
 * Outcome}: a SOAP fault or a 4xx is an answer; a refused connection never reached the server; a
 * timeout, a reset or a 5xx without a SOAP body (a proxy in front of a back end that goes on) may
 * still be carried out.
 */
final class SoapErrors {
  private final Set<String> transientFaults;

  SoapErrors(Set<String> transientFaults) {
    this.transientFaults = Set.copyOf(transientFaults);
  }

  IncidentException classify(String what, Throwable e) {
    if (e instanceof IncidentException ie) return ie;
    if (e instanceof IncidentFault f) {
      String code = code(f);
      String text = f.getFaultInfo() == null ? f.getMessage() : f.getFaultInfo().getMessage();
      return new IncidentException(what + " failed: fault " + code + ": " + text, transientFaults.contains(code), code,
          Outcome.ANSWERED, f);
    }
    HTTPException http = find(e, HTTPException.class);
    if (http != null) {
      int status = http.getResponseCode();
      boolean retry = status >= 500 || status == 408 || status == 429;
      return new IncidentException(what + " failed: HTTP " + status + " " + http.getResponseMessage(), retry, null,
          status >= 500 ? Outcome.UNKNOWN : Outcome.ANSWERED, e);
    }
    if (e instanceof SOAPFaultException sf) {
      QName code = sf.getFault().getFaultCodeAsQName();
      boolean serverSide = code != null && code.getLocalPart().contains("Server");
      return new IncidentException(what + " failed: SOAP fault " + (code == null ? "?" : code.getLocalPart()) + ": "
          + sf.getFault().getFaultString(), serverSide, null, Outcome.ANSWERED, e);
    }
    if (find(e, HttpTimeoutException.class) != null || find(e, java.net.SocketTimeoutException.class) != null)
      return new IncidentException(what + " failed: timed out (" + rootMessage(e) + ")", true, null,
          connectTimeout(e) ? Outcome.NOT_SENT : Outcome.UNKNOWN, e);
    if (find(e, IOException.class) != null)
      return new IncidentException(what + " failed: " + describeIo(e), true, null,
          notConnected(e) ? Outcome.NOT_SENT : Outcome.UNKNOWN, e);
    // an unexpected client-side error (e.g. an unreadable response from a proxy's error page):
    // retrying is cheap and bounded by the worker's attempts, losing the call is not
    return new IncidentException(what + " failed: " + rootMessage(e), true, null, Outcome.UNKNOWN, e);
  }

  static String code(IncidentFault f) {
    FaultDetail d = f.getFaultInfo();
    return d == null || d.getCode() == null ? "UNKNOWN" : d.getCode();
  }

  private static String describeIo(Throwable e) {
    // a refused connection: ConnectException, or a bare ClosedChannelException from java.net.http
    if (find(e, java.nio.channels.ClosedChannelException.class) != null || find(e, java.net.ConnectException.class) != null)
      return "cannot connect (" + rootMessage(e) + ")";
    return rootMessage(e);
  }

  /** No connection was made, so the request cannot have reached the server. */
  private static boolean notConnected(Throwable e) {
    return find(e, java.net.ConnectException.class) != null || find(e, java.net.UnknownHostException.class) != null
        || find(e, java.net.NoRouteToHostException.class) != null;
  }

  private static boolean connectTimeout(Throwable e) {
    if (find(e, java.net.http.HttpConnectTimeoutException.class) != null) return true;
    java.net.SocketTimeoutException t = find(e, java.net.SocketTimeoutException.class);
    // HttpURLConnection says "connect timed out" (a read says "Read timed out")
    return t != null && t.getMessage() != null && t.getMessage().toLowerCase(java.util.Locale.ROOT).contains("connect timed out");
  }

  static String rootMessage(Throwable e) {
    Throwable t = Causes.root(e);
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    return Causes.find(e, type).orElse(null);
  }
}
