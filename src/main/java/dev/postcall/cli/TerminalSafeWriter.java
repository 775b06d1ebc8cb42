package dev.postcall.cli;

import dev.postcall.SafeText;
import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;

/**
 * What the CLI prints: call fields come from the PBX and the incident system, and an escape
 * sequence in a caller name must not reach the admin's terminal (retitle it, hide lines, fake
 * output). Control characters other than line breaks and tabs become '?'.
 */
final class TerminalSafeWriter extends FilterWriter {
  TerminalSafeWriter(Writer out) {
    super(out);
  }

  @Override
  public void write(int c) throws IOException {
    out.write(SafeText.forTerminal((char) c));
  }

  @Override
  public void write(char[] cbuf, int off, int len) throws IOException {
    char[] copy = new char[len];
    for (int i = 0; i < len; i++) copy[i] = SafeText.forTerminal(cbuf[off + i]);
    out.write(copy, 0, len);
  }

  @Override
  public void write(String str, int off, int len) throws IOException {
    write(str.toCharArray(), off, len);
  }
}
