package dev.postcall.agi;

import java.net.InetAddress;
import java.util.List;
import org.asteriskjava.fastagi.AgiChannel;
import org.asteriskjava.fastagi.AgiReader;
import org.asteriskjava.fastagi.AgiRequest;
import org.asteriskjava.fastagi.AgiWriter;
import org.asteriskjava.fastagi.command.AgiCommand;
import org.asteriskjava.fastagi.internal.DefaultAgiChannelFactory;
import org.asteriskjava.fastagi.internal.FastAgiConnectionHandler;
import org.asteriskjava.util.SocketConnectionFacade;

/**
 * asterisk-java's own FastAGI request and reply handling — its reader (environment → request,
 * HANGUP lines, 520 usage blocks, 100 Trying) and its channel (510/511/520 → exceptions) — run over
 * lines a session has already received, instead of over a socket a thread blocks on. A read past
 * the received lines throws {@link #NEED_MORE}; the session tries again when more lines arrive
 * (lines are few and short, and {@link HangupSession} only retries when a reply can be complete).
 *
 * <p>One instance per thread: the reader is asterisk-java's, over one replay of lines at a time.
 */
final class AgiProtocol {
  /** Thrown through asterisk-java when the lines received so far end mid-request or mid-reply. */
  static final RuntimeException NEED_MORE = new RuntimeException("more lines needed", null, false, false) { };

  private final Replay replay = new Replay();
  private final DefaultAgiChannelFactory channels = new DefaultAgiChannelFactory();
  private final AgiReader reader = new ReaderAccess(replay, channels).reader();

  /**
   * The request from the environment lines (up to the blank line, or all of them once the input
   * {@code ended}); throws {@link #NEED_MORE} if the blank line has not arrived yet.
   */
  AgiRequest request(List<String> lines, boolean ended, HangupSession session) throws org.asteriskjava.fastagi.AgiException {
    replay.reset(lines, 0, ended, session);
    return reader.readRequest();
  }

  /**
   * A channel whose commands are answered by {@code lines} from {@code from} on (the command
   * itself was written by the caller); its {@code sendCommand} throws {@link #NEED_MORE} until a
   * whole reply is there.
   */
  AgiChannel channel(AgiRequest request, List<String> lines, int from, boolean ended, HangupSession session) {
    replay.reset(lines, from, ended, session);
    return channels.createAgiChannel(request, SENT_BY_CALLER, reader);
  }

  private static final AgiWriter SENT_BY_CALLER = new AgiWriter() {
    @Override
    public void sendCommand(AgiCommand command) {
      // the event loop writes the command bytes itself, once
    }
  };

  /** Lines already received, read one by one; null once they are used up and the input ended. */
  private static final class Replay implements SocketConnectionFacade {
    private List<String> lines = List.of();
    private int next;
    private boolean ended;
    private HangupSession session;

    void reset(List<String> lines, int from, boolean ended, HangupSession session) {
      this.lines = lines;
      this.next = from;
      this.ended = ended;
      this.session = session;
    }

    @Override
    public String readLine() {
      if (next < lines.size()) return lines.get(next++);
      if (ended) return null;
      throw NEED_MORE;
    }

    @Override
    public void write(String s) {
      throw new UnsupportedOperationException("the event loop writes");
    }

    @Override
    public void flush() { }

    @Override
    public void close() { }

    @Override
    public boolean isConnected() {
      return true;
    }

    @Override
    public InetAddress getLocalAddress() {
      return session.localAddress();
    }

    @Override
    public int getLocalPort() {
      return session.localPort();
    }

    @Override
    public InetAddress getRemoteAddress() {
      return session.remoteAddress();
    }

    @Override
    public int getRemotePort() {
      return session.remotePort();
    }
  }

  /** asterisk-java makes its FastAGI reader only through a connection handler; we need just the reader. */
  private static final class ReaderAccess extends FastAgiConnectionHandler {
    ReaderAccess(SocketConnectionFacade lines, DefaultAgiChannelFactory channels) {
      super((request, channel) -> null, lines, channels);
    }

    AgiReader reader() {
      return createReader();
    }
  }
}
