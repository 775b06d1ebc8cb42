package dev.postcall.pbx;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the real Asterisk kit lives: {@code POSTCALL_PBX_KIT} (or {@code -Dpbx.kit}), else {@code
 * ../shared/pbx} next to the project (CI runs a clean clone beside {@code shared/}). A user's clone
 * has no kit: the real-PBX tests are then skipped with one line saying so — the only skip allowed.
 */
public final class PbxKit {
  private PbxKit() {}

  /** The kit folder (holding the {@code pbx} launcher), whether or not it exists. */
  public static Path location() {
    String env = System.getenv("POSTCALL_PBX_KIT");
    if (env == null || env.isBlank()) env = System.getProperty("pbx.kit");
    if (env != null && !env.isBlank()) return Path.of(env).toAbsolutePath().normalize();
    return Path.of(System.getProperty("user.dir")).toAbsolutePath().resolve("../shared/pbx").normalize();
  }

  /** The {@code pbx} launcher; skips the calling test class with one clear line when the kit is absent. */
  public static Path launcherOrSkip() {
    Path pbx = location().resolve("pbx");
    assumeTrue(Files.isExecutable(pbx), () -> "real-PBX tests skipped: no Asterisk kit at " + location()
        + " (set POSTCALL_PBX_KIT to a folder holding the 'pbx' launcher)");
    return pbx;
  }

  /** The project's own dialplan, which every test dialplan includes. */
  public static Path projectDialplan() {
    return Path.of(System.getProperty("user.dir")).toAbsolutePath().resolve("conf/asterisk/extensions_postcall.conf");
  }
}
