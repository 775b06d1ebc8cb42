package dev.postcall.cdr;

/**
 * One complete line of a Master.csv: a row, or the reason it could not be read. {@code endOffset}
 * is the byte offset just after the line's newline — where reading resumes — and {@code line} its
 * 1-based line number in the file.
 */
public sealed interface ParsedLine {
  long line();

  long endOffset();

  record Row(CdrRow row, long line, long endOffset) implements ParsedLine {}

  record Malformed(String file, long line, long endOffset, String reason) implements ParsedLine {
    @Override
    public String toString() {
      return file + ":" + line + ": " + reason;
    }
  }
}
