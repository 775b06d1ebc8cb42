package dev.postcall.incident;

import dev.postcall.PostcallException;
import dev.postcall.config.Redact;

/**
 * A failed call to the incident system. {@code faultCode} is the SOAP fault code, or null for
 * transport errors; {@code outcome} says whether the server may still carry the request out.
 */
public final class IncidentException extends PostcallException {
  /** What the incident system did with a request that failed, as far as the client can tell. */
  public enum Outcome {
    /** Never reached the server (connection refused, unknown host, connect timeout): nothing happened. */
    NOT_SENT,
    /** The server answered with an error: it finished the request and did not carry it out. */
    ANSWERED,
    /**
     * Sent, but no answer from the server itself (receive timeout, connection reset, HTTP 5xx from a
     * proxy): it may have done the work, or still be doing it.
     */
    UNKNOWN
  }

  private final String faultCode;
  private final Outcome outcome;

  public IncidentException(String message, boolean retryable, String faultCode, Outcome outcome, Throwable cause) {
    // the message reaches the log and the failed queue's reason: no credentials from a URL in it
    super(Redact.secrets(message), retryable, cause);
    this.faultCode = faultCode;
    this.outcome = outcome;
  }

  /** A declared fault is an answer; without one the outcome is taken as unknown (the safe side). */
  public IncidentException(String message, boolean retryable, String faultCode, Throwable cause) {
    this(message, retryable, faultCode, faultCode != null ? Outcome.ANSWERED : Outcome.UNKNOWN, cause);
  }

  public String faultCode() {
    return faultCode;
  }

  public Outcome outcome() {
    return outcome;
  }
}
