package dev.postcall.audio;

import dev.postcall.PostcallException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * What a WAV file's RIFF header says, checked against the file's real size.
 *
 * <p>Asterisk's MixMonitor writes the RIFF and data sizes only when it closes the file: while the
 * call is recorded both read 0 ({@link #sizesUnset()}), and the audio is then everything after the
 * header. An unanswered call leaves a 44-byte header-only file ({@link #headerOnly()}).
 *
 * @param format WAVE format tag (1 PCM, 6 A-law, 7 µ-law, 49 GSM, 0xFFFE extensible …)
 * @param dataOffset where the audio starts
 * @param declaredDataBytes the data chunk's size field (0 while Asterisk still writes)
 * @param dataBytes audio bytes actually present (what the duration is computed from)
 */
public record WavInfo(int format, int sampleRate, int channels, int bitsPerSample, int byteRate,
    long dataOffset, long declaredDataBytes, long dataBytes, long fileBytes, boolean sizesUnset) {

  /** Audio length from the bytes present. */
  public Duration duration() {
    return Duration.ofNanos(Math.round(dataBytes * 1e9 / byteRate));
  }

  public boolean headerOnly() {
    return dataBytes == 0;
  }

  /**
   * Whoever wrote the file has finished it: the header's sizes are filled in and the file holds
   * all they promise. MixMonitor writes them only when it closes the file.
   */
  public boolean closed() {
    return !sizesUnset && declaredDataBytes <= dataBytes;
  }

  /** The header promises more audio than the file holds (a copy cut short, a full disk). */
  public boolean truncated() {
    return !sizesUnset && declaredDataBytes > dataBytes;
  }

  /**
   * Reads the header of {@code wav}. Not-a-WAV content throws a non-retryable {@link
   * PostcallException} naming the reason; an unreadable file a retryable one.
   */
  public static WavInfo read(Path wav) {
    try (FileChannel ch = FileChannel.open(wav, StandardOpenOption.READ)) {
      return read(wav, ch);
    } catch (NoSuchFileException e) {
      throw new PostcallException("recording " + wav + " does not exist", true, e);
    } catch (IOException e) {
      throw new PostcallException("cannot read recording " + wav + ": " + e.getMessage(), true, e);
    }
  }

  /**
   * Reads the header through a channel already open ({@code wav} only names it in messages): the
   * file whose header is checked is then the file that is converted.
   */
  public static WavInfo read(Path wav, SeekableByteChannel ch) throws IOException {
    long size = ch.size();
    if (size == 0) throw bad(wav, "the file is empty (0 bytes)");
    ByteBuffer riff = readAt(ch, 0, 12);
    if (riff.remaining() < 12 || !tag(riff, 0).equals("RIFF")) throw bad(wav, "no RIFF header");
    if (!tag(riff, 8).equals("WAVE")) throw bad(wav, "RIFF file but not WAVE");
    long riffSize = Integer.toUnsignedLong(riff.getInt(4));
    int format = -1, channels = 0, rate = 0, byteRate = 0, bits = 0;
    long pos = 12;
    while (true) {
      ByteBuffer chunk = readAt(ch, pos, 8);
      if (chunk.remaining() < 8) throw bad(wav, format < 0 ? "no fmt chunk (header cut short)" : "no data chunk (header cut short)");
      String id = tag(chunk, 0);
      long len = Integer.toUnsignedLong(chunk.getInt(4));
      if (id.equals("fmt ")) {
        if (len < 16) throw bad(wav, "fmt chunk too short (" + len + " bytes)");
        ByteBuffer fmt = readAt(ch, pos + 8, (int) Math.min(len, 40));
        if (fmt.remaining() < 16) throw bad(wav, "fmt chunk cut short");
        format = Short.toUnsignedInt(fmt.getShort(0));
        channels = Short.toUnsignedInt(fmt.getShort(2));
        rate = fmt.getInt(4);
        byteRate = fmt.getInt(8);
        bits = Short.toUnsignedInt(fmt.getShort(14));
      } else if (id.equals("data")) {
        if (format < 0) throw bad(wav, "data chunk before the fmt chunk");
        if (channels < 1 || channels > 16 || rate <= 0 || byteRate <= 0)
          throw bad(wav, "impossible format: " + channels + " channels, " + rate + " Hz, " + byteRate + " bytes/s");
        long offset = pos + 8;
        long present = size - offset;
        // MixMonitor leaves both sizes 0 until it closes the file; 0xFFFFFFFF is the streaming convention
        boolean unset = (len == 0 && riffSize == 0) || len == 0xFFFFFFFFL;
        long data = unset ? present : Math.min(len, present);
        return new WavInfo(format, rate, channels, bits, byteRate, offset, unset ? 0 : len, data, size, unset);
      }
      pos += 8 + len + (len & 1); // chunks are word-aligned
    }
  }

  private static ByteBuffer readAt(SeekableByteChannel ch, long pos, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    ch.position(pos);
    while (b.hasRemaining() && ch.read(b) > 0) { /* keep reading */ }
    b.flip();
    return b;
  }

  private static String tag(ByteBuffer b, int at) {
    byte[] t = new byte[4];
    b.get(at, t);
    return new String(t, StandardCharsets.ISO_8859_1);
  }

  private static PostcallException bad(Path wav, String reason) {
    return new PostcallException("recording " + wav + " is not a WAV: " + reason, false);
  }
}
