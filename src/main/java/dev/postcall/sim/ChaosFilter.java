package dev.postcall.sim;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * Transport-level misbehaviour in front of the SOAP endpoint: answer late, never answer, or do the
 * work and then lose the response (the client sees HTTP 503 although the object exists — the
 * "crash between create and response" case a retry must survive).
 */
final class ChaosFilter implements Filter {
  private static final ThreadLocal<Boolean> DROP = ThreadLocal.withInitial(() -> false);
  private static final ThreadLocal<String> CONTENT_TYPE = new ThreadLocal<>();

  private final Object lock = new Object();
  private boolean hanging;
  private boolean closed;
  private volatile Duration delay = Duration.ZERO;
  private volatile long readBytesPerSecond;
  private volatile long readFreeBytes;

  /** Called by the service on the request's thread (CXF runs the servlet call synchronously). */
  static void dropThisResponse() {
    DROP.set(true);
  }

  /** The Content-Type of the request being handled on this thread (multipart/related when MTOM). */
  static String currentContentType() {
    return CONTENT_TYPE.get();
  }

  void hang(boolean on) {
    synchronized (lock) {
      hanging = on;
      lock.notifyAll();
    }
  }

  void delay(Duration d) {
    delay = d;
  }

  void readSlowly(long bytesPerSecond, long freeBytes) {
    readFreeBytes = freeBytes;
    readBytesPerSecond = bytesPerSecond;
  }

  /** Releases hanging requests so the server can stop. */
  void close() {
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
    }
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse resp, FilterChain chain) throws IOException, ServletException {
    try {
      waitWhileHanging();
      Duration d = delay;
      if (!d.isZero()) Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    HttpServletResponse http = (HttpServletResponse) resp;
    DroppableResponse wrapped = new DroppableResponse(http);
    DROP.set(false);
    CONTENT_TYPE.set(req.getContentType());
    long rate = readBytesPerSecond;
    ServletRequest request = rate <= 0 ? req : new SlowRequest((jakarta.servlet.http.HttpServletRequest) req, rate, readFreeBytes);
    try {
      chain.doFilter(request, wrapped);
      if (DROP.get()) {
        http.reset();
        http.sendError(503, "response dropped by the incident simulator");
      }
    } finally {
      DROP.remove();
      CONTENT_TYPE.remove();
    }
  }

  private void waitWhileHanging() throws InterruptedException {
    synchronized (lock) {
      while (hanging && !closed) lock.wait();
    }
  }

  /** A request whose body is read at {@code bytesPerSecond} once its first {@code freeBytes} are in: a slow link. */
  private static final class SlowRequest extends jakarta.servlet.http.HttpServletRequestWrapper {
    private final long bytesPerSecond;
    private final long freeBytes;
    private ServletInputStream in;

    SlowRequest(jakarta.servlet.http.HttpServletRequest r, long bytesPerSecond, long freeBytes) {
      super(r);
      this.bytesPerSecond = bytesPerSecond;
      this.freeBytes = freeBytes;
    }

    @Override
    public synchronized ServletInputStream getInputStream() throws IOException {
      if (in == null) in = new SlowInputStream(super.getInputStream(), bytesPerSecond, freeBytes);
      return in;
    }
  }

  private static final class SlowInputStream extends ServletInputStream {
    private final ServletInputStream in;
    private final long bytesPerSecond;
    private final long freeBytes;
    private long read;
    private long slowSince;

    SlowInputStream(ServletInputStream in, long bytesPerSecond, long freeBytes) {
      this.in = in;
      this.bytesPerSecond = bytesPerSecond;
      this.freeBytes = freeBytes;
    }

    @Override
    public int read() throws IOException {
      pace(1);
      int b = in.read();
      if (b >= 0) read++;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = pace(Math.min(len, 16 * 1024));
      int got = in.read(b, off, n);
      if (got > 0) read += got;
      return got;
    }

    /** Sleeps until {@code want} more bytes fit the rate; returns how many to read now. */
    private int pace(int want) throws IOException {
      if (read < freeBytes) return (int) Math.min(want, freeBytes - read);
      long now = System.nanoTime();
      if (slowSince == 0) slowSince = now;
      long allowed = (now - slowSince) / 1000 * bytesPerSecond / 1_000_000;
      long ahead = read - freeBytes + want - allowed;
      if (ahead > 0) {
        try {
          Thread.sleep(Math.max(1, ahead * 1000 / bytesPerSecond));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while reading slowly");
        }
      }
      return want;
    }

    @Override
    public boolean isFinished() {
      return in.isFinished();
    }

    @Override
    public boolean isReady() {
      return in.isReady();
    }

    @Override
    public void setReadListener(jakarta.servlet.ReadListener l) {
      in.setReadListener(l);
    }
  }

  /** Swallows everything the endpoint writes once the service asked to drop the response. */
  private static final class DroppableResponse extends HttpServletResponseWrapper {
    DroppableResponse(HttpServletResponse r) {
      super(r);
    }

    private static boolean dropping() {
      return DROP.get();
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
      return dropping() ? new NullOutputStream() : super.getOutputStream();
    }

    @Override
    public PrintWriter getWriter() throws IOException {
      return dropping() ? new PrintWriter(new NullOutputStream()) : super.getWriter();
    }

    @Override
    public void flushBuffer() throws IOException {
      if (!dropping()) super.flushBuffer();
    }

    @Override
    public void setStatus(int sc) {
      if (!dropping()) super.setStatus(sc);
    }

    @Override
    public void setHeader(String name, String value) {
      if (!dropping()) super.setHeader(name, value);
    }

    @Override
    public void addHeader(String name, String value) {
      if (!dropping()) super.addHeader(name, value);
    }

    @Override
    public void setContentType(String type) {
      if (!dropping()) super.setContentType(type);
    }
  }

  private static final class NullOutputStream extends ServletOutputStream {
    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setWriteListener(WriteListener l) {
    }

    @Override
    public void write(int b) {
    }

    @Override
    public void write(byte[] b, int off, int len) {
    }
  }
}
