package dev.postcall.agi;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** The client addresses allowed to open FastAGI sessions: literal addresses or CIDR blocks. */
public final class AddressAllowlist {
  private record Block(byte[] network, int prefix) {}

  private final List<Block> blocks;

  public AddressAllowlist(List<String> entries) {
    List<Block> out = new ArrayList<>();
    for (String e : entries) {
      int slash = e.indexOf('/');
      byte[] addr = literal(slash < 0 ? e : e.substring(0, slash));
      int prefix = slash < 0 ? addr.length * 8 : Integer.parseInt(e.substring(slash + 1));
      if (prefix < 0 || prefix > addr.length * 8) throw new IllegalArgumentException("bad prefix in '" + e + "'");
      out.add(new Block(addr, prefix));
    }
    this.blocks = List.copyOf(out);
  }

  public boolean allows(InetAddress a) {
    byte[] b = a.getAddress();
    for (Block blk : blocks) {
      if (matches(blk, b)) return true;
      // an IPv4 client on a dual-stack socket may show up as ::ffff:a.b.c.d
      if (b.length == 16 && blk.network.length == 4 && isMapped(b)) {
        byte[] v4 = {b[12], b[13], b[14], b[15]};
        if (matches(blk, v4)) return true;
      }
    }
    return false;
  }

  private static boolean matches(Block blk, byte[] b) {
    if (b.length != blk.network.length) return false;
    int full = blk.prefix / 8;
    for (int i = 0; i < full; i++) if (b[i] != blk.network[i]) return false;
    int rest = blk.prefix % 8;
    if (rest == 0) return true;
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (b[full] & mask) == (blk.network[full] & mask);
  }

  private static boolean isMapped(byte[] b) {
    for (int i = 0; i < 10; i++) if (b[i] != 0) return false;
    return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
  }

  private static byte[] literal(String s) {
    // The config check admits only hex digits, ':' and '.', so this never asks DNS.
    try {
      return InetAddress.getByName(s).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address: '" + s + "'", e);
    }
  }
}
