package dev.postcall;

import java.net.InetAddress;

/** This machine's name for logs and owner ids; "unknown" when the resolver cannot say. */
public final class HostName {
  private HostName() {}

  public static String local() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
