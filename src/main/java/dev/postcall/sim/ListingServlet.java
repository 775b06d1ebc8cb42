package dev.postcall.sim;

import dev.postcall.sim.IncidentServer.StoredFile;
import dev.postcall.sim.IncidentServer.StoredObject;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** Read-only HTML page at {@code /}: the objects the simulator holds and their files, newest first. */
final class ListingServlet extends HttpServlet {
  private final transient SimulatedIncidentPort port;

  ListingServlet(SimulatedIncidentPort port) {
    this.port = port;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setContentType("text/html; charset=utf-8");
    List<StoredObject> objects = port.objects();
    PrintWriter out = resp.getWriter();
    out.println("<!doctype html><html><head><title>incident simulator</title></head><body>");
    out.println("<h1>incident simulator: " + objects.size() + " objects</h1><table border=1>");
    out.println("<tr><th>objectref</th><th>objectdef</th><th>attributes</th><th>files</th></tr>");
    for (int i = objects.size() - 1; i >= 0; i--) {
      StoredObject o = objects.get(i);
      StringBuilder attrs = new StringBuilder();
      for (Map.Entry<String, List<String>> e : o.attributes().entrySet())
        attrs.append(esc(e.getKey())).append('=').append(esc(String.join(",", e.getValue()))).append("<br>");
      StringBuilder files = new StringBuilder();
      for (StoredFile f : port.files(o.objectref()))
        files.append(esc(f.attribute())).append(": ").append(esc(f.srcname())).append(" (").append(f.bytes()).append(" bytes)<br>");
      out.println("<tr><td>" + esc(o.objectref()) + "</td><td>" + esc(o.objectdef()) + "</td><td>" + attrs
          + "</td><td>" + files + "</td></tr>");
    }
    out.println("</table></body></html>");
  }

  private static String esc(String s) {
    if (s == null) return "";
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
