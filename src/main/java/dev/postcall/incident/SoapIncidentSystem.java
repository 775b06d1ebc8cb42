package dev.postcall.incident;

import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Redact;
import dev.postcall.incident.soap.FileSoap;
import dev.postcall.incident.soap.IncidentFault;
import dev.postcall.incident.soap.IncidentPort;
import dev.postcall.call.CallRecord;
import jakarta.activation.DataHandler;
import jakarta.activation.FileDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jakarta.xml.ws.BindingProvider;
import org.apache.cxf.frontend.ClientProxy;
import org.apache.cxf.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incident system over SOAP ({@code wsdl/incident.wsdl}). Logs in lazily and shares one session
 * between all worker threads; a SESSION_EXPIRED fault logs in again once and repeats the call.
 * Files are sent as MTOM attachments streamed from disk. Every failure surfaces as an {@link
 * IncidentException} whose {@code retryable()} the worker acts on (see {@link SoapErrors}).
 *
 * <p>Thread-safe: the CXF proxy is configured once at construction and never changed per call.
 */
public final class SoapIncidentSystem implements IncidentSystem, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SoapIncidentSystem.class);
  static final String SESSION_EXPIRED = "SESSION_EXPIRED";
  static final String LOGIN_REFUSED = "LOGIN_REFUSED";
  static final String NOT_FOUND = "NOT_FOUND";
  /** The slowest upload still considered healthy (~2 Mbit/s). */
  static final long MIN_UPLOAD_BYTES_PER_SECOND = 256 * 1024;

  private final PostcallConfig.Incident cfg;
  private final IncidentPort port;
  private final SoapErrors errors;
  private final CallAttributes attributes;
  private final Object loginLock = new Object();
  private volatile String session;
  private volatile String objectdefId;

  public SoapIncidentSystem(PostcallConfig.Incident cfg) {
    this.cfg = cfg;
    this.port = IncidentPortFactory.create(cfg);
    HashSet<String> transientCodes = new HashSet<>(cfg.transientFaults());
    // a session that expires again right after a fresh login is a hiccup: the next attempt logs in anew
    transientCodes.add(SESSION_EXPIRED);
    this.errors = new SoapErrors(transientCodes);
    this.attributes = new CallAttributes(cfg);
  }

  @Override
  public Optional<String> find(String pbxId, String uniqueid, boolean orUnmarked) {
    String found = call("findObjectref for uniqueid " + uniqueid + " (pbx " + pbxId + ")",
        s -> port.findObjectref(s, objectdef(), attributes.name("uniqueid"), uniqueid, attributes.pbxMatch(pbxId, orUnmarked)));
    return found == null || found.isBlank() ? Optional.empty() : Optional.of(found);
  }

  @Override
  public List<String> list(String pbxId, String uniqueid, boolean orUnmarked) {
    return List.copyOf(call("listObjectrefs for uniqueid " + uniqueid + " (pbx " + pbxId + ")",
        s -> port.listObjectrefs(s, objectdef(), attributes.name("uniqueid"), uniqueid, attributes.pbxMatch(pbxId, orUnmarked))));
  }

  @Override
  public boolean remove(String objectref, String reason) {
    try {
      call("deleteObjectref " + objectref, s -> port.deleteObjectref(s, objectref, reason));
      log.info("objectref {} removed: {}", objectref, reason);
      return true;
    } catch (IncidentException e) {
      // removed by an earlier attempt whose response was lost
      if (NOT_FOUND.equals(e.faultCode())) return false;
      throw e;
    }
  }

  @Override
  public String create(CallRecord call, String status) {
    String what = "createObjectref for uniqueid " + call.uniqueid() + " (pbx " + call.pbxId() + ")";
    String parent = cfg.parent().isEmpty() ? null : cfg.parent();
    String objectref = call(what, s -> port.createObjectref(s, objectdef(), parent, attributes.of(call, status)));
    if (objectref == null || objectref.isBlank())
      throw new IncidentException(what + " returned no objectref", true, null, null);
    log.debug("created objectref {} (status {})", objectref, status);
    return objectref;
  }

  @Override
  public boolean hasRecording(String objectref) {
    return !recordingNames(objectref).isEmpty();
  }

  @Override
  public List<String> recordingNames(String objectref) {
    List<String> files = call("getFiles for objectref " + objectref,
        s -> port.getFiles(s, objectref, attributes.name("file")));
    return files == null ? List.of() : List.copyOf(files);
  }

  @Override
  public void attachRecording(String objectref, Path mp3, String fileName) {
    String what = "addFile " + fileName + " to objectref " + objectref;
    if (!Files.isRegularFile(mp3)) throw new IncidentException(what + ": no file at " + mp3, false, null, null);
    FileSoap file = new FileSoap();
    file.setSrcname(fileName);
    // a FileDataSource is read while the request is written: the MP3 never sits whole in the heap
    file.setContent(new DataHandler(new FileDataSource(mp3.toFile())));
    Map<String, Object> context = ((BindingProvider) port).getRequestContext(); // this thread's own
    context.put(Message.RECEIVE_TIMEOUT, uploadTimeout(size(mp3)).toMillis());
    String fileId;
    try {
      fileId = call(what, s -> port.addFile(s, objectref, attributes.name("file"), file));
    } finally {
      context.remove(Message.RECEIVE_TIMEOUT);
    }
    log.debug("objectref {}: attached {} ({} bytes) as file {}", objectref, fileName, size(mp3), fileId);
  }

  @Override
  public boolean reachable() {
    try {
      call("getProcess " + cfg.process(), s -> port.getProcess(s, cfg.process()));
      return true;
    } catch (IncidentException e) {
      log.debug("incident system not reachable: {}", Redact.secrets(e.getMessage()));
      return false;
    }
  }

  /** Logs out (best effort) and releases the client. */
  @Override
  public void close() {
    String s = session;
    session = null;
    if (s != null) {
      try {
        port.logout(s);
      } catch (Exception e) {
        log.debug("logout failed: {}", e.toString());
      }
    }
    ClientProxy.getClient(port).destroy();
  }

  @FunctionalInterface
  private interface Operation<T> {
    T call(String session) throws IncidentFault;
  }

  /** Runs one SOAP operation with the current session, logging in again once if it expired. */
  private <T> T call(String what, Operation<T> op) {
    String s = session();
    try {
      return op.call(s);
    } catch (IncidentFault f) {
      if (!SESSION_EXPIRED.equals(SoapErrors.code(f))) throw errors.classify(what, f);
      log.info("incident session expired during {}; logging in again", what);
      try {
        return op.call(relogin(s));
      } catch (IncidentFault | RuntimeException again) {
        throw errors.classify(what, again);
      }
    } catch (RuntimeException e) {
      throw errors.classify(what, e);
    }
  }

  private String session() {
    String s = session;
    if (s != null) return s;
    synchronized (loginLock) {
      if (session == null) session = login();
      return session;
    }
  }

  /** Logs in again unless another thread already replaced the stale session. */
  private String relogin(String stale) {
    synchronized (loginLock) {
      if (session != null && !session.equals(stale)) return session;
      session = null;
      return session();
    }
  }

  /** A refused login is tried once more (a password rotated mid-flight), then fails the job for good. */
  private String login() {
    String what = "login as " + cfg.user() + " at " + Redact.secrets(cfg.url());
    for (int attempt = 1; ; attempt++) {
      try {
        String s = port.login(cfg.user(), cfg.password());
        log.info("logged in to the incident system at {} as {}", Redact.secrets(cfg.url()), cfg.user());
        return s;
      } catch (IncidentFault f) {
        if (!LOGIN_REFUSED.equals(SoapErrors.code(f))) throw errors.classify(what, f);
        if (attempt >= 2) {
          String text = f.getFaultInfo() == null ? f.getMessage() : f.getFaultInfo().getMessage();
          throw new IncidentException(what + " refused twice: " + text, false, LOGIN_REFUSED, f);
        }
      } catch (RuntimeException e) {
        throw errors.classify(what, e);
      }
    }
  }

  private String objectdef() throws IncidentFault {
    String id = objectdefId;
    if (id != null) return id;
    // resolved with the caller's session; stable across sessions, so cached for good
    String s = session();
    String process = port.getProcess(s, cfg.process()).getId();
    id = port.getObjectdef(s, process, cfg.objectdef(), cfg.objectdefVersion()).getId();
    objectdefId = id;
    return id;
  }

  /**
   * addFile gets the receive timeout plus the time the file takes at {@link
   * #MIN_UPLOAD_BYTES_PER_SECOND}: a transport whose receive timeout covers the upload too must not
   * time a long recording on a slow link out on every attempt.
   */
  Duration uploadTimeout(long bytes) {
    return cfg.receiveTimeout().plusSeconds(Math.max(0, bytes) / MIN_UPLOAD_BYTES_PER_SECOND);
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      return -1;
    }
  }
}
