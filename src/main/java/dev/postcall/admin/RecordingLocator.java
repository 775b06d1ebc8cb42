package dev.postcall.admin;

import dev.postcall.PostcallException;
import dev.postcall.queue.CallStore;
import dev.postcall.call.CallRef;
import dev.postcall.work.ArchiveRecording;
import dev.postcall.work.RecordingPath;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Finds a call's recording by its uniqueid only — never from a path in a request: the MP3 the worker
 * converted ({@code jobs.mp3_path}) while it exists, else the WAV where {@link RecordingPath} puts it
 * (which refuses names leading out of the recordings root).
 */
public final class RecordingLocator {
  private final DataSource ds;
  private final RecordingPath wavs;
  private final Path archive;

  /** @param archive the MP3 folder ({@code archive.dir}): an {@code mp3_path} elsewhere is never served */
  public RecordingLocator(DataSource ds, RecordingPath wavs, Path archive) {
    this.ds = ds;
    this.wavs = wavs;
    this.archive = archive;
  }

  /** A recording file and the content type to serve it with. */
  public record Recording(Path file, String contentType) {}

  /** Where the recording should be, existing or not; empty for an unknown call or a refused name. */
  public Optional<Path> expectedPath(CallRef call) throws SQLException {
    Optional<CallRef> ref = FailedQueue.resolve(ds, call);
    if (ref.isEmpty()) return Optional.empty();
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT c.*, j.mp3_path FROM calls c JOIN jobs j ON j.call_id = c.id WHERE c.pbx_id = ? AND c.uniqueid = ?")) {
      ps.setString(1, ref.get().pbxId());
      ps.setString(2, ref.get().uniqueid());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) return Optional.empty();
        String mp3 = rs.getString("mp3_path");
        if (mp3 != null) {
          try {
            Path checked = ArchiveRecording.checked(archive, mp3);
            if (Files.isRegularFile(checked, LinkOption.NOFOLLOW_LINKS)) return Optional.of(checked);
          } catch (PostcallException e) {
            return Optional.empty(); // the database points outside the archive: serve nothing
          }
        }
        try {
          return Optional.of(wavs.resolve(CallStore.read(rs)));
        } catch (PostcallException e) {
          return Optional.empty();
        }
      }
    }
  }

  /** The existing, readable recording of the call, if any. */
  public Optional<Recording> find(CallRef call) throws SQLException {
    return expectedPath(call).filter(p -> Files.isRegularFile(p) && Files.isReadable(p))
        .map(p -> new Recording(p, contentType(p)));
  }

  static String contentType(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".mp3")) return "audio/mpeg";
    if (n.endsWith(".wav")) return "audio/wav";
    if (n.endsWith(".ogg")) return "audio/ogg";
    return "application/octet-stream";
  }
}
