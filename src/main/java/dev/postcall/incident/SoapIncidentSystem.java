package dev.postcall.incident;

import dev.postcall.config.PostcallConfig;
import dev.postcall.queue.CallRecord;
import java.nio.file.Path;
import java.util.Optional;

/** PLACEHOLDER until the incident/audio branch lands (same API). */
public class SoapIncidentSystem implements IncidentSystem {
  public SoapIncidentSystem(PostcallConfig.Incident cfg) {}

  public Optional<String> findByUniqueid(String uniqueid) { throw new UnsupportedOperationException(); }

  public String create(CallRecord call, String status) { throw new UnsupportedOperationException(); }

  public boolean hasRecording(String objectref) { throw new UnsupportedOperationException(); }

  public void attachRecording(String objectref, Path mp3, String fileName) { throw new UnsupportedOperationException(); }

  public boolean reachable() { return false; }
}
