package dev.postcall.admin;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error answers (a request it refuses before our routes, such as an ambiguous
 * {@code %2F} in the path): status and reason phrase as plain text, with the security headers —
 * never the request URI, Jetty's message, an exception or a version.
 */
final class PlainErrorHandler extends ErrorHandler {
  PlainErrorHandler() {
    setShowStacks(false);
    setShowMessageInTitle(false);
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
      Callback callback) {
    SecurityHeaders.apply(response.getHeaders());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    String reason = HttpStatus.getMessage(code);
    Content.Sink.write(response, true, code + " " + (reason == null ? "" : reason) + "\n", callback);
  }
}
