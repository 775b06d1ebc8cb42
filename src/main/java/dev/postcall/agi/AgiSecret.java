package dev.postcall.agi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import org.asteriskjava.fastagi.AgiRequest;

/**
 * The shared secret ({@code agi.secret}) the dialplan passes with every hangup, so that only
 * Asterisk — not any process on the PBX host, which all connect from 127.0.0.1 — can hand calls in.
 * It comes as a URL parameter ({@code agi://127.0.0.1/hangup?secret=…}) or as an argument
 * ({@code SECRET=…}). Compared in constant time over SHA-256 digests (equal lengths, so the
 * comparison says nothing about the secret's length either). Never logged, never in toString.
 */
final class AgiSecret {
  static final AgiSecret NONE = new AgiSecret(null);

  private final byte[] digest;

  AgiSecret(String secret) {
    this.digest = secret == null || secret.isEmpty() ? null : sha256(secret);
  }

  boolean required() {
    return digest != null;
  }

  /** Whether the request carries the secret (always true when none is configured). */
  boolean admits(AgiRequest r) {
    if (digest == null) return true;
    boolean ok = false;
    String param;
    try {
      param = r.getParameter("secret");
    } catch (RuntimeException e) {
      param = null; // a malformed query string: no parameter
    }
    // every candidate is compared, so the time does not tell which form matched
    ok |= param != null && matches(param);
    String[] args;
    try {
      args = r.getArguments();
    } catch (RuntimeException e) {
      args = null;
    }
    for (String a : args == null ? new String[0] : args) {
      if (a == null) continue;
      int eq = a.indexOf('=');
      if (eq > 0 && a.substring(0, eq).trim().toUpperCase(Locale.ROOT).equals("SECRET")) ok |= matches(a.substring(eq + 1));
    }
    return ok;
  }

  private boolean matches(String candidate) {
    return MessageDigest.isEqual(digest, sha256(candidate));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return digest == null ? "none" : "set";
  }
}
