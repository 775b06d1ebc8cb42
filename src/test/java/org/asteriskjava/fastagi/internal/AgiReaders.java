package org.asteriskjava.fastagi.internal;

import org.asteriskjava.fastagi.AgiReader;
import org.asteriskjava.util.SocketConnectionFacade;

/** Test access to asterisk-java's own FastAGI reader (package-private), the one the server uses. */
public final class AgiReaders {
  private AgiReaders() {}

  public static AgiReader fastAgi(SocketConnectionFacade connection) {
    return new FastAgiReader(connection);
  }
}
