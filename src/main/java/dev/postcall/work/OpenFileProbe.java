package dev.postcall.work;

import java.nio.file.Path;

/**
 * Tells whether some process still holds a file open. The seam exists because the answer depends on
 * where the PBX runs: on the same host {@link ProcOpenFiles} sees Asterisk's descriptors; on a
 * shared mount nothing can see them and {@link #NONE} leaves the decision to the quiet period.
 */
public interface OpenFileProbe {
  boolean isOpen(Path file);

  OpenFileProbe NONE = file -> false;
}
