package dev.postcall.admin;

import static dev.postcall.admin.Doctor.ok;
import static dev.postcall.admin.Doctor.problem;

import dev.postcall.admin.Doctor.Finding;
import dev.postcall.config.PostcallConfig;
import dev.postcall.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The doctor's checks of the recordings folders: {@code recordings.dir} and every PBX's own
 * ({@code recordings.pbx.<id>.dir}, or its variable). Each must be a folder postcall can read, and
 * write where delivered WAVs are deleted — on a worker, a PBX's folder is often a mount that is
 * missing or read-only while the others are fine.
 */
final class RecordingFolderChecks {
  private RecordingFolderChecks() {}

  static List<Finding> of(PostcallConfig cfg) {
    PostcallConfig.Recordings r = cfg.recordings();
    boolean deleteWav = cfg.archive().deleteWav();
    List<Finding> out = new ArrayList<>();
    String others = r.ownFolders().isEmpty() ? "" : " (every PBX without a folder of its own)";
    out.add(folder("recordings " + r.dir() + others, r.dir(), "set recordings.dir to MixMonitor's folder", deleteWav));
    r.ownFolders().forEach((pbx, f) -> out.add(folder("recordings of " + pbx + " " + f.dir(), f.dir(),
        "set " + dirKey(r, pbx) + " to that PBX's recordings folder (its mount on this host)", deleteWav)));
    return out;
  }

  /** The key that set PBX {@code pbx}'s folder: in the file, or the variable naming it. */
  private static String dirKey(PostcallConfig.Recordings r, String pbx) {
    String key = "recordings.pbx." + pbx + ".dir";
    return r.byPbx().containsKey(pbx) ? key : Settings.envName("recordings.pbx." + pbx) + "_DIR";
  }

  static Finding folder(String check, Path dir, String whereFix, boolean deleteWav) {
    if (!Files.isDirectory(dir)) return problem(check, "not a directory", whereFix);
    if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
      return problem(check, "not readable by " + System.getProperty("user.name"), "add the postcall user to the asterisk group");
    }
    if (deleteWav && !Files.isWritable(dir)) {
      return problem(check, "not writable, but archive.delete-wav=true deletes delivered WAVs",
          "give the asterisk group write access (chmod g+w; a mount read-write), or set archive.delete-wav=false");
    }
    return ok(check, deleteWav ? "readable and writable" : "readable");
  }
}
