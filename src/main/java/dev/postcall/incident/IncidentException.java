package dev.postcall.incident;

import dev.postcall.PostcallException;

/** A failed call to the incident system. {@code faultCode} is the SOAP fault code, or null for transport errors. */
public final class IncidentException extends PostcallException {
  private final String faultCode;

  public IncidentException(String message, boolean retryable, String faultCode, Throwable cause) {
    super(message, retryable, cause);
    this.faultCode = faultCode;
  }

  public String faultCode() {
    return faultCode;
  }
}
