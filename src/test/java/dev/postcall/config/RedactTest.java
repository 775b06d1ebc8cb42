package dev.postcall.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RedactTest {
  @Test
  void hides_passwords_in_jdbc_and_http_urls() {
    assertEquals("jdbc:mysql://db.example:3306/postcall?user=pc&password=****&sslMode=REQUIRED",
        Redact.secrets("jdbc:mysql://db.example:3306/postcall?user=pc&password=hunter2&sslMode=REQUIRED"));
    assertEquals("jdbc:mysql://pc:****@db.example/postcall", Redact.secrets("jdbc:mysql://pc:hunter2@db.example/postcall"));
    assertEquals("https://svc:****@incident.example/soap", Redact.secrets("https://svc:p%40ss:w@incident.example/soap"));
    assertEquals("jdbc:mysql://address=(host=db)(port=3306)(password=****)/x",
        Redact.secrets("jdbc:mysql://address=(host=db)(port=3306)(password=hunter2)/x"));
    assertEquals("not reachable at http://u:****@h:8090/incident: Connection refused",
        Redact.secrets("not reachable at http://u:secret@h:8090/incident: Connection refused"));
    assertEquals("x?trustStorePassword=****&clientCertificateKeyStorePassword=****",
        Redact.secrets("x?trustStorePassword=a&clientCertificateKeyStorePassword=b"));
    assertEquals("token=**** pwd=****", Redact.secrets("token=abc pwd=def"));
  }

  @Test
  void leaves_plain_text_and_urls_without_secrets_alone() {
    String plain = "http://127.0.0.1:8090/incident?wsdl and jdbc:mysql://h:3306/db?sslMode=DISABLED; user@example.org";
    assertEquals(plain, Redact.secrets(plain));
    assertEquals("password=", Redact.secrets("password="));
    assertNull(Redact.secrets(null));
    assertFalse(Redact.secrets("http://a:b@c/").contains("b@"));
    assertEquals("https://…", Redact.scheme("https://u:p@host/x"));
  }
}
