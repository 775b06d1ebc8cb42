package dev.postcall.agi;

import java.util.HashMap;
import java.util.Map;
import org.asteriskjava.fastagi.AgiChannel;
import org.asteriskjava.fastagi.AgiRequest;
import org.asteriskjava.fastagi.AgiScript;
import org.asteriskjava.fastagi.MappingStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Script name → script. Never returns null: an unknown or missing script name gets a script that
 * logs the request and ends the session (asterisk-java would otherwise log an error and send a
 * VERBOSE; a bare TCP probe without a script name made its map lookup throw, STACK.md trap 6).
 */
final class ScriptMapping implements MappingStrategy {
  private static final Logger log = LoggerFactory.getLogger(ScriptMapping.class);
  private final Map<String, AgiScript> scripts = new HashMap<>();

  ScriptMapping add(String name, AgiScript script) {
    scripts.put(name, script);
    return this;
  }

  @Override
  public AgiScript determineScript(AgiRequest request, AgiChannel channel) {
    String name = request.getScript();
    AgiScript s = name == null ? null : scripts.get(name);
    return s != null ? s : ScriptMapping::unknown;
  }

  private static void unknown(AgiRequest request, AgiChannel channel) {
    AgiConnection c = AgiConnection.current();
    String peer = c == null ? String.valueOf(request.getRemoteAddress()) : c.peer();
    if (request.getScript() == null) {
      if (c != null) c.outcome("no_script");
      log.warn("AGI client {} sent no script name (uniqueid {}, {} environment lines) — closing",
          peer, Text.printable(request.getUniqueId()), request.getRequest().size());
    } else {
      if (c != null) c.outcome("unknown_script");
      log.warn("AGI client {} asked for unknown script '{}' (uniqueid {}) — closing", peer,
          Text.printable(request.getScript()), Text.printable(request.getUniqueId()));
    }
  }
}
