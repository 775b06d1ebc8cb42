package dev.postcall.sim;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
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
    try {
      chain.doFilter(req, wrapped);
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
