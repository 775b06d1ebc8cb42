package dev.postcall.cdr;

/**
 * How far the tailer has read one file: its identity ({@code fileKey} = device + inode, plus the
 * SHA-256 {@code fingerprint} of its first {@code fingerprintLen} bytes), the byte offset after the
 * last complete line stored, that line's number, and the file size seen then.
 */
record FileState(String fileKey, String path, String fingerprint, int fingerprintLen, long offset, long line,
    long size) {

  FileState advancedTo(long newOffset, long newLine, long newSize, FileIdentity.Fingerprint fp, String newPath) {
    return new FileState(fileKey, newPath, fp.hash(), fp.length(), newOffset, newLine, newSize);
  }
}
