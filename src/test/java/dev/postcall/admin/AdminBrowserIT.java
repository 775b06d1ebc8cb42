package dev.postcall.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.postcall.queue.JobState;
import dev.postcall.queue.Stage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptException;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin pages in a real headless Chromium (Debian's chromium + chromium-driver, installed by
 * scripts/test installs them): log in, filter, retry one, discard one with a reason, play a recording,
 * search the calls page and open a call from it.
 */
class AdminBrowserIT {
  static WebFixture f;
  static ChromeDriver browser;
  static final byte[] WAV = WebFixture.wav(3);

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    f = new WebFixture(dir);
    Instant t = Instant.parse("2026-11-21T09:00:00Z");
    f.seed.failed("700.1", "0301111", t, Stage.CREATE, "HTTP 503 from incident system");
    f.seed.failed("700.2", "0302222", t.plusSeconds(60), Stage.ATTACH, "HTTP 503 from incident system");
    f.seed.failed("700.3", "0409999", t.plusSeconds(120), Stage.ATTACH, "read timed out");
    f.seed.failed("700.4", "0308888", t.plusSeconds(180), Stage.CONVERT, "ffmpeg: invalid data");
    Files.write(f.recordings.resolve("700.4.wav"), WAV);
    f.start();

    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).usingAnyFreePort().build();
    ChromeOptions o = new ChromeOptions();
    o.setBinary("/usr/bin/chromium");
    o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-quic", "--autoplay-policy=no-user-gesture-required",
        "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
    browser = new ChromeDriver(service, o);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.quit();
    f.close();
  }

  /** Waits across a page load: an element found on the old page goes stale mid-check (it failed CI once). */
  WebDriverWait waiting() {
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
    wait.ignoring(StaleElementReferenceException.class);
    wait.ignoring(JavascriptException.class);
    return wait;
  }

  /** The listed uniqueids, read in one script run so the page cannot change between rows. */
  @SuppressWarnings("unchecked")
  List<String> listedIds() {
    return (List<String>) browser.executeScript(
        "return Array.from(document.querySelectorAll('#failed tbody tr')).map(r => r.getAttribute('data-uniqueid'))");
  }

  WebElement row(String uid) {
    return browser.findElement(By.cssSelector("#failed tr[data-uniqueid='" + uid + "']"));
  }

  @Test
  void admin_logs_in_filters_retries_discards_and_plays_a_recording() throws Exception {
    // not logged in: the queue sends us to the login page
    browser.get(f.base() + "/failed");
    assertTrue(browser.getCurrentUrl().endsWith("/login"), browser.getCurrentUrl());
    browser.findElement(By.id("who")).sendKeys("dora");
    browser.findElement(By.id("token")).sendKeys(WebFixture.TOKEN);
    browser.findElement(By.id("login-button")).click();
    waiting().until(d -> d.findElements(By.id("summary")).size() == 1);
    Cookie session = browser.manage().getCookieNamed("pc_session");
    assertTrue(session.isHttpOnly());
    assertEquals("Strict", session.getSameSite());

    // filter: calls of numbers containing 030, failed in ATTACH
    browser.get(f.base() + "/failed");
    assertEquals(List.of("700.4", "700.3", "700.2", "700.1"), listedIds());
    browser.findElement(By.name("number")).sendKeys("030");
    browser.findElement(By.cssSelector("select[name=stage] option[value='']")).isSelected();
    browser.findElement(By.id("apply-filters")).click();
    waiting().until(d -> listedIds().size() == 3);
    assertEquals(List.of("700.4", "700.2", "700.1"), listedIds());

    // retry one: it leaves the queue, the filter stays
    row("700.2").findElement(By.cssSelector("button.retry-one")).click();
    waiting().until(d -> d.findElements(By.id("message")).size() == 1);
    assertEquals("Retrying 1 of 1 call(s).", browser.findElement(By.id("message")).getText());
    assertEquals(List.of("700.4", "700.1"), listedIds());
    assertTrue(browser.getCurrentUrl().contains("number=030"), browser.getCurrentUrl());
    assertEquals(JobState.PENDING, AdminWebIT.stateIn(f, "700.2"));

    // discard one with a reason
    browser.findElement(By.id("discard-reason")).sendKeys("test call from the installer");
    row("700.1").findElement(By.cssSelector("button.discard-one")).click();
    waiting().until(d -> listedIds().equals(List.of("700.4")));
    assertEquals(JobState.DISCARDED, AdminWebIT.stateIn(f, "700.1"));
    assertEquals(1, f.db.count("SELECT COUNT(*) FROM jobs WHERE discarded_by = 'web:dora'"
        + " AND discard_reason = 'test call from the installer'"));

    // open the call and let the audio element load its recording
    browser.findElement(By.linkText("700.4")).click();
    waiting().until(d -> d.findElements(By.id("player")).size() == 1);
    assertTrue(browser.findElement(By.id("cdr")).getText().contains("0308888"));
    JavascriptExecutor js = browser;
    waiting().until(d -> ((Number) js.executeScript("return document.getElementById('player').readyState")).intValue() >= 1);
    assertEquals(3.0, ((Number) js.executeScript("return document.getElementById('player').duration")).doubleValue(), 0.05);
    assertEquals(null, js.executeScript("return document.getElementById('player').error"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> loads = (List<Map<String, Object>>) js.executeScript(
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('/calls/700.4') && e.name.endsWith('/recording'))"
            + ".map(e => ({status: e.responseStatus}))");
    assertFalse(loads.isEmpty(), "the audio element did not request the recording");
    for (Map<String, Object> l : loads) {
      int status = ((Number) l.get("status")).intValue();
      assertTrue(status == 200 || status == 206, "recording answered " + status);
    }

    // the same recording with the browser's session, from Java: a range with an audio type
    HttpResponse<byte[]> part = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(f.base() + "/calls/700.4/recording")).header("Cookie", "pc_session=" + session.getValue())
            .header("Range", "bytes=0-43").build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(206, part.statusCode());
    assertEquals("audio/wav", part.headers().firstValue("content-type").orElseThrow());
    assertEquals("RIFF", new String(part.body(), 0, 4));

    // the calls page: search by part of a number, open the call from the list
    browser.findElement(By.id("nav-calls")).click();
    waiting().until(d -> d.findElements(By.id("calls")).size() == 1);
    browser.findElement(By.name("number")).sendKeys("0409");
    browser.findElement(By.id("search-button")).click();
    waiting().until(d -> callIds().equals(List.of("700.3")));
    assertTrue(browser.getCurrentUrl().contains("number=0409"), browser.getCurrentUrl());
    browser.findElement(By.linkText("700.3")).click();
    waiting().until(d -> d.findElements(By.id("history")).size() == 1);
    assertTrue(browser.findElement(By.id("cdr")).getText().contains("0409999"));
    assertTrue(browser.findElement(By.id("paths")).getText().startsWith("AGI"));
  }

  @SuppressWarnings("unchecked")
  List<String> callIds() {
    return (List<String>) browser.executeScript(
        "return Array.from(document.querySelectorAll('#calls tbody tr')).map(r => r.getAttribute('data-uniqueid'))");
  }
}
