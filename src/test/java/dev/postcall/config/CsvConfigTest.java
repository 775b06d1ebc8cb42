package dev.postcall.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CsvConfigTest {
  @Test
  void defaults_tail_every_ten_seconds_sweep_at_half_past_two_and_leave_out_local_halves() {
    PostcallConfig.Csv csv = PostcallConfig.from(Settings.of(Map.of())).csv();
    assertEquals(List.of(Path.of("/var/log/asterisk/cdr-csv/Master.csv")), csv.files());
    assertEquals(Duration.ofSeconds(10), csv.tailInterval());
    assertEquals("0 30 2 * * ?", csv.sweepCron());
    assertEquals(List.of("Local/*;1"), csv.excludeChannels());
    assertEquals(List.of("AppDial", "AppDial2"), csv.excludeApps());
  }

  @Test
  void settings_are_read_from_their_keys() {
    PostcallConfig.Csv csv = PostcallConfig.from(Settings.of(Map.of("csv.contexts", "rig, from-internal",
        "cdr.timezone", "UTC", "csv.tail-interval", "2s", "csv.batch-size", "500"))).csv();
    assertEquals(List.of("rig", "from-internal"), csv.contexts());
    assertEquals(ZoneId.of("UTC"), csv.zone());
    assertEquals(Duration.ofSeconds(2), csv.tailInterval());
    assertEquals(500, csv.batchSize());
  }

  @Test
  void a_call_master_csv_brings_first_waits_for_its_hangup_two_drain_intervals_unless_set() {
    assertEquals(Duration.ofSeconds(2), PostcallConfig.from(Settings.of(Map.of())).csv().agiHold());
    assertEquals(Duration.ofSeconds(6), PostcallConfig.from(Settings.of(Map.of("agi.drain-interval", "3s"))).csv().agiHold());
    assertEquals(Duration.ZERO, PostcallConfig.from(Settings.of(Map.of("csv.agi-hold", "0s"))).csv().agiHold());
  }

  @Test
  void a_bad_sweep_cron_is_refused_naming_the_key() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> PostcallConfig.from(Settings.of(Map.of("csv.sweep-cron", "every night"))));
    assertTrue(e.getMessage().startsWith("csv.sweep-cron:"), e.getMessage());
  }

  @Test
  void a_tail_interval_below_100ms_is_refused() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> PostcallConfig.from(Settings.of(Map.of("csv.tail-interval", "10ms"))));
    assertTrue(e.getMessage().startsWith("csv.tail-interval:"), e.getMessage());
  }
}
