package dev.postcall.agi;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;

/** A socket whose peer already sent {@code bytes} and then closed; what we write is kept. */
final class BytesSocket extends Socket {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private final InputStream in;
  private final OutputStream out = new ByteArrayOutputStream();

  BytesSocket(byte[] bytes) {
    this.in = new ByteArrayInputStream(bytes);
  }

  @Override
  public InputStream getInputStream() {
    return in;
  }

  @Override
  public OutputStream getOutputStream() {
    return out;
  }

  @Override
  public void setSoTimeout(int timeout) { }

  @Override
  public int getSoTimeout() {
    return 1_000;
  }

  @Override
  public void setTcpNoDelay(boolean on) { }

  @Override
  public InetAddress getInetAddress() {
    return LOOPBACK;
  }

  @Override
  public InetAddress getLocalAddress() {
    return LOOPBACK;
  }

  @Override
  public int getPort() {
    return 4573;
  }

  @Override
  public boolean isConnected() {
    return true;
  }

  @Override
  public synchronized void close() { }
}
