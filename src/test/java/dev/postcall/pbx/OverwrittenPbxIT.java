package dev.postcall.pbx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.postcall.TestSounds;
import dev.postcall.audio.OverwrittenRecording;
import dev.postcall.audio.WavInfo;
import dev.postcall.call.CallRecord;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A transfer destination that records to the caller's own file name while everybody talks without
 * a pause — real SIP phones send background noise, never silence — on a real Asterisk, both
 * dialplan forms. Each MixMonitor lines the two directions up a few samples differently, so the
 * copies share few or no identical frames (docs/recordings.md): flagged on the waveform. The same
 * calls without the second MixMonitor are not flagged.
 *
 * <p>Flows {@code <k><T><D>} (overwrite-test.conf): B talks T s, C D s; k = 9 records twice.
 */
class OverwrittenPbxIT {
  @RegisterExtension static final RealPbx pbx = RealPbx.with("pbx/overwrite-test.conf").setting("archive.delete-wav", "false");

  /** The second longer than the first part, equal, shorter (a hole between); and without it. */
  static final List<String> FLOWS = List.of("935", "944", "962", "835", "862");
  static final Set<String> OVERWRITTEN = Set.of("935", "944", "962");

  @BeforeAll
  static void placeCalls() {
    Path sounds = pbx.pbxDir().resolve("sounds");
    TestSounds.write(sounds.resolve("pcw-caller.wav"), TestSounds.speech(40, 31));
    for (int s = 2; s <= 6; s++) {
      TestSounds.write(sounds.resolve("pcw-b-" + s + ".wav"), TestSounds.speech(s, 40 + s));
      TestSounds.write(sounds.resolve("pcw-c-" + s + ".wav"), TestSounds.speech(s, 50 + s));
    }
    for (String form : List.of("pc-ow-h", "pc-ow-hh")) for (String flow : FLOWS)
      pbx.pbx().rx("channel originate Local/" + flow + "@" + form + " extension speak@pc-ow-phone");
    pbx.pbx().idle(Duration.ofSeconds(60));
    pbx.awaitMasterCsvRead(Duration.ofSeconds(20));
    assertEquals(FLOWS.size() * 2, pbx.masterCsvCalls().size(), "Master.csv's callers: " + pbx.masterCsvCalls().keySet());
    pbx.awaitSettled(pbx.masterCsvCalls().keySet(), Duration.ofSeconds(60));
  }

  @Test
  void overwritten_recordings_are_flagged_and_genuine_ones_are_not() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String uid : pbx.masterCsvCalls().keySet()) {
      CallRecord c = pbx.storedCall(uid).orElseThrow();
      String flow = c.userfield().substring(3, 6);
      boolean flagged = pbx.db().count("SELECT COUNT(*) FROM calls WHERE recording_overwritten AND uniqueid = ?", uid) == 1;
      if (flagged != OVERWRITTEN.contains(flow)) wrong.add(flow + " " + uid + ": flagged " + flagged + " (" + evidence(uid) + ")");
      if (pbx.incidents().creates(uid) != 1) wrong.add(flow + " " + uid + ": objects " + pbx.incidents().creates(uid));
      if (pbx.object(uid).map(o -> pbx.incidents().files(o.objectref()).size()).orElse(0) != 1)
        wrong.add(flow + " " + uid + ": not delivered with its recording");
    }
    assertEquals(List.of(), wrong);
    assertEquals(6.0, pbx.service().metrics().counter("postcall.recordings.overwritten").count(), "three flows in two forms");
  }

  /** What the check says of the kept WAV, for the failure message. */
  private static String evidence(String uid) throws IOException {
    Path wav = pbx.pbxDir().resolve("recordings").resolve(uid + ".wav");
    if (!Files.exists(wav)) return "no WAV";
    try (FileChannel ch = FileChannel.open(wav)) {
      Optional<OverwrittenRecording.Finding> f = OverwrittenRecording.check(ch, WavInfo.read(wav, ch));
      return f.map(x -> x.lag() + " " + x.evidence()).orElse("no repeat") + ", " + Files.size(wav) + " bytes";
    }
  }
}
