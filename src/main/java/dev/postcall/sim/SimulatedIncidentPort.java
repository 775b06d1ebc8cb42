package dev.postcall.sim;

import dev.postcall.incident.soap.FaultDetail;
import dev.postcall.incident.soap.FileSoap;
import dev.postcall.incident.soap.IncidentFault;
import dev.postcall.incident.soap.IncidentPort;
import dev.postcall.incident.soap.KeyValuesPairSoap;
import dev.postcall.incident.soap.KeyValuesPairSoapArray;
import dev.postcall.incident.soap.ObjectdefSoap;
import dev.postcall.incident.soap.ProcessSoap;
import dev.postcall.sim.IncidentServer.StoredFile;
import dev.postcall.sim.IncidentServer.StoredObject;
import jakarta.jws.WebService;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulator's implementation of the incident system's SOAP API: keeps objects in memory and
 * files on disk, and fails on demand. Thread-safe: Jetty calls it from many threads.
 */
@WebService(endpointInterface = "dev.postcall.incident.soap.IncidentPort", serviceName = "IncidentService",
    portName = "IncidentPort", targetNamespace = "urn:postcall:incident:1",
    wsdlLocation = "classpath:wsdl/incident.wsdl")
final class SimulatedIncidentPort implements IncidentPort {
  private final String user;
  private final String password;
  private final Path filesDir;
  private final Set<String> sessions = ConcurrentHashMap.newKeySet();
  private final Map<String, StoredObject> objects = new ConcurrentHashMap<>();
  private final List<StoredObject> createOrder = new CopyOnWriteArrayList<>();
  private final Map<String, List<StoredFile>> files = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> createsByUniqueid = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicInteger failNext = new AtomicInteger();
  private volatile String failNextCode = "INTERNAL";
  private volatile double faultRate;
  private volatile String faultRateCode = "INTERNAL";
  private final AtomicInteger dropAfterCreate = new AtomicInteger();
  private final AtomicInteger dropAfterAddFile = new AtomicInteger();
  private final AtomicInteger holdCreates = new AtomicInteger();
  private volatile Duration holdCreatesFor = Duration.ZERO;
  private final AtomicInteger heldCreatesDone = new AtomicInteger();
  private final Map<String, String> removed = new ConcurrentHashMap<>();
  private volatile String uniqueidAttribute = "uniqueid";
  private final AtomicInteger logins = new AtomicInteger();

  SimulatedIncidentPort(String user, String password, Path filesDir) {
    this.user = user;
    this.password = password;
    this.filesDir = filesDir;
  }

  @Override
  public String login(String user, String password) throws IncidentFault {
    if (!this.user.equals(user) || !this.password.equals(password)) throw fault("LOGIN_REFUSED", "wrong user or password");
    logins.incrementAndGet();
    String session = "s-" + UUID.randomUUID();
    sessions.add(session);
    return session;
  }

  @Override
  public void logout(String sessionId) {
    sessions.remove(sessionId);
  }

  @Override
  public ProcessSoap getProcess(String sessionId, String name) throws IncidentFault {
    check(sessionId);
    if (name == null || name.isBlank()) throw fault("NOT_FOUND", "process name is empty");
    ProcessSoap p = new ProcessSoap();
    p.setId("p-" + name);
    p.setName(name);
    return p;
  }

  @Override
  public ObjectdefSoap getObjectdef(String sessionId, String process, String name, String version) throws IncidentFault {
    check(sessionId);
    if (process == null || !process.startsWith("p-")) throw fault("NOT_FOUND", "no process '" + process + "'");
    if (name == null || name.isBlank()) throw fault("NOT_FOUND", "objectdef name is empty");
    ObjectdefSoap od = new ObjectdefSoap();
    od.setId("od-" + process.substring(2) + "-" + name + "-" + version);
    od.setName(name);
    od.setVersion(version);
    return od;
  }

  @Override
  public String createObjectref(String sessionId, String objectdef, String parent, KeyValuesPairSoapArray values)
      throws IncidentFault {
    check(sessionId);
    boolean held = take(holdCreates);
    if (held) hold(holdCreatesFor);
    Map<String, List<String>> attributes = new LinkedHashMap<>();
    for (KeyValuesPairSoap kv : values == null ? List.<KeyValuesPairSoap>of() : values.getItem()) {
      if (kv.getKey() == null || kv.getKey().isBlank()) throw fault("VALIDATION", "attribute without a name");
      attributes.put(kv.getKey(), List.copyOf(kv.getValues()));
    }
    String id = "or-" + ids.incrementAndGet();
    StoredObject o = new StoredObject(id, objectdef, parent, Map.copyOf(attributes));
    objects.put(id, o);
    createOrder.add(o);
    List<String> uid = attributes.get(uniqueidAttribute);
    if (uid != null && !uid.isEmpty()) {
      createsByUniqueid.computeIfAbsent(uid.get(0), k -> new AtomicInteger()).incrementAndGet();
      List<String> pbx = attributes.get("pbx_id");
      if (pbx != null && !pbx.isEmpty())
        createsByUniqueid.computeIfAbsent(pbx.get(0) + "/" + uid.get(0), k -> new AtomicInteger()).incrementAndGet();
    }
    if (held) heldCreatesDone.incrementAndGet();
    if (take(dropAfterCreate)) ChaosFilter.dropThisResponse();
    return id;
  }

  /**
   * Sits on a request past the client's receive timeout, then lets it go on: what a back end stuck
   * behind a lock does, and the client has already given up (its answer goes to a closed socket).
   */
  private static void hold(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the server is stopping: carry it out now
    }
  }

  @Override
  public String findObjectref(String sessionId, String objectdef, String attributeName, String value,
      KeyValuesPairSoap also) throws IncidentFault {
    check(sessionId);
    for (StoredObject o : createOrder) {
      if (matches(o, objectdef, attributeName, value, also)) return o.objectref();
    }
    return null;
  }

  @Override
  public List<String> listObjectrefs(String sessionId, String objectdef, String attributeName, String value,
      KeyValuesPairSoap also) throws IncidentFault {
    check(sessionId);
    List<String> refs = new ArrayList<>();
    for (StoredObject o : createOrder) {
      if (matches(o, objectdef, attributeName, value, also)) refs.add(o.objectref());
    }
    return refs;
  }

  /** The WSDL's rule: the attribute holds the value; with also, also.key holds one of also.values ("" = absent). */
  private boolean matches(StoredObject o, String objectdef, String attributeName, String value, KeyValuesPairSoap also) {
    if (!objects.containsKey(o.objectref()) || !o.objectdef().equals(objectdef)) return false;
    if (!o.attributes().getOrDefault(attributeName, List.of()).contains(value)) return false;
    if (also == null || also.getKey() == null) return true;
    List<String> has = o.attributes().get(also.getKey());
    if (has == null || has.isEmpty() || has.stream().allMatch(String::isEmpty)) return also.getValues().contains("");
    return has.stream().anyMatch(v -> !v.isEmpty() && also.getValues().contains(v));
  }

  @Override
  public String deleteObjectref(String sessionId, String objectref, String reason) throws IncidentFault {
    check(sessionId);
    if (objects.remove(objectref) == null) throw fault("NOT_FOUND", "no objectref '" + objectref + "'");
    removed.put(objectref, reason == null ? "" : reason);
    files.remove(objectref);
    return objectref;
  }

  @Override
  public String addFile(String sessionId, String objectref, String attributeName, FileSoap file) throws IncidentFault {
    check(sessionId);
    if (!objects.containsKey(objectref)) throw fault("NOT_FOUND", "no objectref '" + objectref + "'");
    if (file == null || file.getContent() == null) throw fault("VALIDATION", "file without content");
    if (file.getSrcname() == null || file.getSrcname().isBlank()) throw fault("VALIDATION", "file without srcname");
    String fileId = "f-" + ids.incrementAndGet();
    Path target = filesDir.resolve(fileId + ".bin");
    long bytes;
    try (InputStream in = file.getContent().getInputStream()) {
      // streamed to disk: a 200 MB recording never sits in the simulator's heap either
      bytes = Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw fault("INTERNAL", "cannot store file: " + e.getMessage());
    }
    files.computeIfAbsent(objectref, k -> new CopyOnWriteArrayList<>())
        .add(new StoredFile(objectref, attributeName, file.getSrcname(), target, bytes, ChaosFilter.currentContentType()));
    if (take(dropAfterAddFile)) ChaosFilter.dropThisResponse();
    return fileId;
  }

  @Override
  public List<String> getFiles(String sessionId, String objectref, String attributeName) throws IncidentFault {
    check(sessionId);
    if (!objects.containsKey(objectref)) throw fault("NOT_FOUND", "no objectref '" + objectref + "'");
    List<String> names = new ArrayList<>();
    for (StoredFile f : files.getOrDefault(objectref, List.of()))
      if (f.attribute().equals(attributeName)) names.add(f.srcname());
    return names;
  }

  /** Every operation but login/logout: the chaos switches, then the session. */
  private void check(String sessionId) throws IncidentFault {
    if (take(failNext)) throw fault(failNextCode, "injected fault " + failNextCode);
    double rate = faultRate;
    if (rate > 0 && ThreadLocalRandom.current().nextDouble() < rate)
      throw fault(faultRateCode, "injected random fault " + faultRateCode);
    if (sessionId == null || !sessions.contains(sessionId)) throw fault("SESSION_EXPIRED", "session expired, log in again");
  }

  private static boolean take(AtomicInteger counter) {
    return counter.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
  }

  static IncidentFault fault(String code, String message) {
    FaultDetail d = new FaultDetail();
    d.setCode(code);
    d.setMessage(message);
    return new IncidentFault(code + ": " + message, d);
  }

  // switches and accessors, used through IncidentServer

  void failNext(int n, String code) {
    failNextCode = code;
    failNext.set(n);
  }

  void faultRate(double rate, String code) {
    faultRateCode = code;
    faultRate = rate;
  }

  void dropResponseAfterCreate(int n) {
    dropAfterCreate.set(n);
  }

  void dropResponseAfterAddFile(int n) {
    dropAfterAddFile.set(n);
  }

  void holdCreates(int n, Duration d) {
    holdCreatesFor = d;
    holdCreates.set(n);
  }

  void expireSessions() {
    sessions.clear();
  }

  void uniqueidAttribute(String name) {
    uniqueidAttribute = name;
  }

  /** The objects that exist now (not removed), in creation order. */
  List<StoredObject> objects() {
    return createOrder.stream().filter(o -> objects.containsKey(o.objectref())).toList();
  }

  List<StoredObject> created() {
    return List.copyOf(createOrder);
  }

  /** Removed objects: objectref → the reason given. */
  Map<String, String> removed() {
    return Map.copyOf(removed);
  }

  int heldCreatesDone() {
    return heldCreatesDone.get();
  }

  int creates(String uniqueid) {
    AtomicInteger n = createsByUniqueid.get(uniqueid);
    return n == null ? 0 : n.get();
  }

  List<StoredFile> files(String objectref) {
    return List.copyOf(files.getOrDefault(objectref, List.of()));
  }

  int logins() {
    return logins.get();
  }

  int sessionCount() {
    return sessions.size();
  }
}
