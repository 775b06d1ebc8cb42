package dev.postcall;

/**
 * The one base class for postcall's own failures. {@code retryable} tells the caller whether trying
 * again later can help (a refused connection) or not (a corrupt recording, a validation fault).
 */
public class PostcallException extends RuntimeException {
  private final boolean retryable;

  public PostcallException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  public PostcallException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
