package dev.postcall.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admin login: one token from {@code web.admin-token}, kept only as a salted SHA-256 in memory
 * and compared in constant time. A login opens a session (random id in an HttpOnly, SameSite=Strict
 * cookie) that carries its own CSRF token; sessions end after {@link #IDLE} without a request.
 */
final class AdminAuth {
  static final Duration IDLE = Duration.ofHours(8);
  private static final int MAX_SESSIONS = 1000;

  private final SecureRandom random = new SecureRandom();
  private final byte[] salt = new byte[16];
  private final byte[] tokenHash;
  private final Clock clock;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  record Session(String id, String csrf, String who, Instant lastSeen) {}

  AdminAuth(String adminToken, Clock clock) {
    this.clock = clock;
    random.nextBytes(salt);
    // An empty token means "no login possible", never "no login needed".
    this.tokenHash = adminToken == null || adminToken.isEmpty() ? null : hash(adminToken);
  }

  boolean enabled() {
    return tokenHash != null;
  }

  /** A new session when the token is right. */
  Optional<Session> login(String token, String who) {
    if (tokenHash == null || token == null || !MessageDigest.isEqual(tokenHash, hash(token))) return Optional.empty();
    expire();
    if (sessions.size() >= MAX_SESSIONS) sessions.clear(); // a flood of logins must not grow memory forever
    Session s = new Session(randomToken(), randomToken(), who, clock.instant());
    sessions.put(s.id(), s);
    return Optional.of(s);
  }

  /** The live session for a cookie value, its idle time renewed. */
  Optional<Session> session(String id) {
    if (id == null) return Optional.empty();
    Session s = sessions.get(id);
    Instant now = clock.instant();
    if (s == null) return Optional.empty();
    if (s.lastSeen().plus(IDLE).isBefore(now)) {
      sessions.remove(id);
      return Optional.empty();
    }
    Session renewed = new Session(s.id(), s.csrf(), s.who(), now);
    sessions.put(id, renewed);
    return Optional.of(renewed);
  }

  /** Whether a cookie value belongs to a live session, without renewing it (for probes such as /ready). */
  boolean peek(String id) {
    Session s = id == null ? null : sessions.get(id);
    return s != null && !s.lastSeen().plus(IDLE).isBefore(clock.instant());
  }

  void logout(String id) {
    if (id != null) sessions.remove(id);
  }

  /** Constant-time comparison of a submitted CSRF token with the expected one. */
  static boolean sameToken(String expected, String given) {
    return expected != null && given != null
        && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  String randomToken() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private void expire() {
    Instant limit = clock.instant().minus(IDLE);
    sessions.values().removeIf(s -> s.lastSeen().isBefore(limit));
  }

  private byte[] hash(String token) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(salt);
      return md.digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
