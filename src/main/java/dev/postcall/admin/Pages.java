package dev.postcall.admin;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.util.Map;

/**
 * Renders the admin pages from the jte templates (src/main/jte), compiled with the code at build
 * time. Every {@code ${…}} in a template is escaped for where it stands (text or attribute).
 */
final class Pages {
  private final TemplateEngine engine = TemplateEngine.createPrecompiled(null, ContentType.Html,
      Pages.class.getClassLoader(), Pages.class.getPackageName());

  String render(String template, Map<String, Object> params) {
    StringOutput out = new StringOutput(8192);
    engine.render(template, params, out);
    return out.toString();
  }
}
