package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RangeFileTest {
  @Test
  void single_ranges_are_clipped_to_the_file() {
    assertArrayEquals(new long[] {0, 99}, RangeFile.parse("bytes=0-99", 1000));
    assertArrayEquals(new long[] {500, 999}, RangeFile.parse("bytes=500-", 1000));
    assertArrayEquals(new long[] {900, 999}, RangeFile.parse("bytes=900-5000", 1000));
    assertArrayEquals(new long[] {990, 999}, RangeFile.parse("bytes=-10", 1000));
    assertArrayEquals(new long[] {0, 999}, RangeFile.parse("bytes=-5000", 1000));
  }

  @Test
  void unsatisfiable_ranges_are_empty() {
    assertArrayEquals(new long[0], RangeFile.parse("bytes=1000-", 1000));
    assertArrayEquals(new long[0], RangeFile.parse("bytes=20-10", 1000));
    assertArrayEquals(new long[0], RangeFile.parse("bytes=-0", 1000));
    assertArrayEquals(new long[0], RangeFile.parse("bytes=99999999999999999999-", 1000));
  }

  @Test
  void absent_malformed_or_multiple_ranges_mean_the_whole_file() {
    assertNull(RangeFile.parse(null, 1000));
    assertNull(RangeFile.parse("bytes=-", 1000));
    assertNull(RangeFile.parse("items=0-1", 1000));
    assertNull(RangeFile.parse("bytes=0-1,5-9", 1000));
  }
}
