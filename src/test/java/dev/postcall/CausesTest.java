package dev.postcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CausesTest {
  @Test
  void walks_to_the_root_and_finds_by_type() {
    SocketTimeoutException root = new SocketTimeoutException("Read timed out");
    IOException io = new IOException("wrapped", root);
    RuntimeException top = new RuntimeException(io);
    assertEquals(List.of(top, io, root), Causes.chain(top));
    assertSame(root, Causes.root(top));
    assertSame(io, Causes.find(top, IOException.class).orElseThrow());
    assertTrue(Causes.find(top, SQLException.class).isEmpty());
    assertTrue(Causes.any(top, t -> "wrapped".equals(t.getMessage())));
  }

  @Test
  void a_cause_pointing_back_into_the_chain_ends_it() {
    Exception a = new Exception("a");
    Exception b = new Exception("b", a);
    a.initCause(b); // a -> b -> a
    assertEquals(List.of(a, b), Causes.chain(a));
    assertSame(b, Causes.root(a));
    assertFalse(Causes.any(a, t -> t instanceof SQLException));
  }

  @Test
  void null_has_no_chain() {
    assertTrue(Causes.chain(null).isEmpty());
    assertEquals(null, Causes.root(null));
  }
}
