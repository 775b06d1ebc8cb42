package dev.postcall.work;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.PostcallException;
import dev.postcall.fuzz.Fuzz;
import dev.postcall.fuzz.Inputs;
import dev.postcall.call.CallRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz target: the recording path resolver. Generated recording names (and uniqueids)
 * built from {@code ..}, {@code /}, {@code \}, NUL, unicode, very long segments, absolute paths,
 * and symlinks inside the root that lead in, out, or nowhere: no name ever resolves to a path
 * outside the root, checked on the file system (the real path of the nearest existing ancestor,
 * the rest normalised), and every refusal is a {@link PostcallException} with a reason.
 */
class RecordingPathFuzzTest {
  @TempDir Path tmp;

  private AutoCloseable quiet;

  @BeforeEach
  void quiet() {
    quiet = Fuzz.quiet("dev.postcall.work");
  }

  @AfterEach
  void loud() throws Exception {
    quiet.close();
  }

  @Test
  void no_generated_name_resolves_outside_the_root() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("monitor"));
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret.wav"), "x");
    Files.createDirectories(root.resolve("sub/deeper"));
    Files.writeString(root.resolve("sub/a.wav"), "x");
    Files.writeString(root.resolve("1.2.wav"), "x");
    Files.createSymbolicLink(root.resolve("in-file"), root.resolve("sub/a.wav"));
    Files.createSymbolicLink(root.resolve("in-dir"), root.resolve("sub"));
    Files.createSymbolicLink(root.resolve("out-file"), outside.resolve("secret.wav"));
    Files.createSymbolicLink(root.resolve("out-dir"), outside);
    Files.createSymbolicLink(root.resolve("sub/up"), Path.of(".."));
    Files.createSymbolicLink(root.resolve("sub/upup"), Path.of("../.."));
    Files.createSymbolicLink(root.resolve("slash"), Path.of("/"));
    Files.createSymbolicLink(root.resolve("dangling"), outside.resolve("missing.wav"));
    Files.createSymbolicLink(root.resolve("loop"), root.resolve("loop"));
    Path rootReal = root.toRealPath();
    List<String> segments = List.of("..", ".", "", "sub", "deeper", "a.wav", "1.2.wav", "x.wav", "in-file", "in-dir",
        "out-file", "out-dir", "up", "upup", "slash", "dangling", "loop", "secret.wav", "monitor", "outside", "etc",
        "passwd", "...", ".. ", " ..", "..\\..", "\\", "%2e%2e", "\uff0e\uff0e", "\u2215", "a\0b", "\0", "~", "$HOME",
        "${uniqueid}");
    // the resolver with the default pattern and with a pattern that itself has a directory
    RecordingPath plain = new RecordingPath(root, "${uniqueid}.wav");
    RecordingPath nested = new RecordingPath(root, "sub/${uniqueid}.wav");

    Fuzz fuzz = Fuzz.start("recording-path", 20_000);
    for (int i = 0; i < fuzz.inputs(); i++) {
      if (!fuzz.runs(i)) continue;
      Random r = fuzz.random(i);
      boolean byUniqueid = r.nextInt(4) == 0;
      String generated = name(r, segments, root, outside);
      // a call always has a uniqueid (CallRecord refuses a blank one before any path is resolved)
      String name = byUniqueid && generated.isBlank() ? "1" + generated : generated;
      CallRecord call = byUniqueid ? call(name, null) : call("1.2", name);
      RecordingPath resolver = r.nextBoolean() ? plain : nested;
      fuzz.check(i, (byUniqueid ? "uniqueid " : "recording ") + name, () -> {
        Path p;
        try {
          p = resolver.resolve(call);
        } catch (PostcallException e) {
          fuzz.rejected();
          assertTrue(e.getMessage() != null && e.getMessage().length() > 10, "a reason: " + e.getMessage());
          assertFalse(e.getMessage().contains("\0"), "no raw NUL in the reason");
          return;
        }
        assertTrue(p.isAbsolute(), p.toString());
        assertTrue(p.normalize().startsWith(root), p + " is not under " + root);
        assertNotEquals(root, p.normalize());
        Path real = realOrNearest(p);
        assertTrue(real.startsWith(rootReal), p + " is really " + real + ", outside " + rootReal);
      });
      fuzz.ran();
    }
    fuzz.finish();
  }

  /**
   * Where {@code p} really is: its real path if it exists, else the real path of its nearest
   * existing ancestor with the rest of the name appended and normalised.
   */
  static Path realOrNearest(Path p) throws IOException {
    Path existing = p;
    Path rest = null;
    while (existing != null && !Files.exists(existing)) {
      Path n = existing.getFileName();
      rest = rest == null ? n : n.resolve(rest);
      existing = existing.getParent();
    }
    if (existing == null) throw new IOException("no existing ancestor of " + p);
    Path real = existing.toRealPath();
    return rest == null ? real : real.resolve(rest).normalize();
  }

  private static String name(Random r, List<String> segments, Path root, Path outside) {
    StringBuilder b = new StringBuilder();
    switch (r.nextInt(8)) {
      case 0 -> b.append(root).append('/');
      case 1 -> b.append(outside).append('/');
      case 2 -> b.append(Inputs.pick(r, "/", "//", "\\", "/etc/", "/tmp/", "./", "../", root + "/../", root + "x/"));
      default -> { }
    }
    int n = 1 + r.nextInt(6);
    for (int k = 0; k < n; k++) {
      if (k > 0) b.append(Inputs.pick(r, "/", "/", "/", "//", "\\", "/./"));
      switch (r.nextInt(10)) {
        case 0 -> b.append(Inputs.text(r, 12));
        case 1 -> b.append(r.nextInt(10) == 0 ? "a".repeat(200 + r.nextInt(5_000)) : Inputs.text(r, 4) + ".wav");
        default -> b.append(Inputs.pick(r, segments));
      }
    }
    if (r.nextInt(3) == 0) b.append(Inputs.pick(r, ".wav", "/", "/.", "/..", "\0", "\n", " "));
    return b.toString();
  }

  static CallRecord call(String uid, String recording) {
    return new CallRecord(uid, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        recording, null, null, CallRecord.Source.AGI, dev.postcall.config.PostcallConfig.Pbx.defaultId());
  }
}
