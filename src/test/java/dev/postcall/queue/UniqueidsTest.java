package dev.postcall.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class UniqueidsTest {
  @Test
  void the_epoch_part_is_the_creation_second() {
    assertEquals(Instant.ofEpochSecond(1796585198), Uniqueids.created("1796585198.5"));
    assertEquals(Instant.ofEpochSecond(1796585198), Uniqueids.created("pbx-a-1796585198.5"), "with a systemname");
    assertNull(Uniqueids.created("csv-0a1b"));
    assertNull(Uniqueids.created("1.2"), "not an epoch");
    assertNull(Uniqueids.created(null));
  }

  @Test
  void a_leg_is_a_channel_of_someone_elses_call() {
    assertFalse(Uniqueids.isLeg("1796585198.20", "1796585198.20", "PJSIP/alice-1"));
    assertTrue(Uniqueids.isLeg("1796585198.3", "1796585198.0", "Local/answer@pc-callee-00000001;2"));
    assertTrue(Uniqueids.isLeg("1796585198.22", "1796585198.20", "PJSIP/bob-2"), "a dialled channel with a hangup handler");
    assertFalse(Uniqueids.isLeg("1796585198.1", "1796585198.0", "Local/101@pc-h-00000000;2"), "originated: its ;1 half is the linkedid");
    assertTrue(Uniqueids.isLeg("1796585198.2", "1796585198.1", "Local/x@y-00000000;1"), "a ;1 half is no originator's ;2");
    assertFalse(Uniqueids.isLeg("1796585198.1", null, "Local/101@pc-h-00000000;2"));
  }
}
