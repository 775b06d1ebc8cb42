package dev.postcall.agi;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressAllowlistTest {
  static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  @Test
  void literal_addresses_and_cidr_blocks() throws Exception {
    AddressAllowlist a = new AddressAllowlist(List.of("127.0.0.1", "::1", "10.20.0.0/16"));
    assertTrue(a.allows(ip("127.0.0.1")));
    assertTrue(a.allows(ip("::1")));
    assertTrue(a.allows(ip("10.20.255.1")));
    assertFalse(a.allows(ip("10.21.0.1")));
    assertFalse(a.allows(ip("127.0.0.2")));
    assertTrue(a.allows(InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 10, 20, 1, 1})),
        "IPv4-mapped IPv6");
  }

  @Test
  void empty_list_allows_nobody() throws Exception {
    assertFalse(new AddressAllowlist(List.of()).allows(ip("127.0.0.1")));
  }
}
