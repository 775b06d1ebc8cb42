package dev.postcall.admin;

import dev.postcall.queue.JobState;
import static dev.postcall.admin.Html.esc;
import static dev.postcall.admin.Html.time;
import static dev.postcall.admin.Html.url;

import dev.postcall.call.CallRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** One call: every CDR field, the status it maps to, its job, every attempt, and the recording. */
final class CallPage {
  private CallPage() {}

  static String render(AdminAuth.Session s, CallDetail d, String status, Optional<Path> recording, String message) {
    CallRecord c = d.call();
    StringBuilder b = new StringBuilder(8192);
    if (message != null) b.append("<p class=\"msg\" id=\"message\">").append(esc(message)).append("</p>");
    b.append("<h2>Call</h2><dl id=\"cdr\">");
    field(b, "uniqueid", c.uniqueid());
    field(b, "linkedid", c.linkedid());
    field(b, "channel", c.channel());
    field(b, "dstchannel", c.dstChannel());
    field(b, "caller number", c.callerNumber());
    field(b, "caller name", c.callerName());
    field(b, "extension", c.extension());
    field(b, "context", c.context());
    field(b, "start (UTC)", time(c.start()));
    field(b, "answer (UTC)", time(c.answer()));
    field(b, "end (UTC)", time(c.end()));
    field(b, "duration (s)", c.duration());
    field(b, "billsec (s)", c.billsec());
    field(b, "disposition", c.disposition());
    field(b, "DIALSTATUS", c.dialStatus());
    field(b, "recording", c.recording());
    field(b, "accountcode", c.accountcode());
    field(b, "userfield", c.userfield());
    field(b, "source", c.source());
    field(b, "received (UTC)", time(d.receivedAt()));
    b.append("</dl><h2>Status mapping</h2><p id=\"status\">").append(esc(c.outcome())).append(" → <b>")
        .append(esc(status)).append("</b></p>");

    b.append("<h2>Delivery</h2><dl id=\"job\">");
    field(b, "state", d.state());
    field(b, "next stage", d.stage());
    field(b, "failed in stage", d.failedStage());
    field(b, "attempts", d.attempts());
    field(b, "next attempt (UTC)", time(d.nextAttemptAt()));
    field(b, "last error", d.lastError());
    field(b, "incident object", d.objectref());
    field(b, "MP3", d.mp3Path());
    field(b, "discarded by", d.discardedBy());
    field(b, "discard reason", d.discardReason());
    field(b, "delivered (UTC)", time(d.doneAt()));
    b.append("</dl>");
    if (JobState.FAILED.name().equals(d.state()) || JobState.DISCARDED.name().equals(d.state())) {
      String id = esc(c.uniqueid());
      b.append("<form method=\"post\" action=\"/failed/retry\" id=\"call-actions\">").append(Html.csrf(s))
          .append("<input type=\"hidden\" name=\"back\" value=\"/calls/").append(esc(url(c.uniqueid()))).append("\">")
          .append("<button name=\"one\" value=\"").append(id).append("\" id=\"retry-call\">Retry now</button> ");
      if (JobState.FAILED.name().equals(d.state()))
        b.append("Reason <input name=\"reason\" size=\"30\"> <button class=\"discard\" name=\"one\" value=\"").append(id)
            .append("\" formaction=\"/failed/discard\" id=\"discard-call\">Discard</button>");
      b.append("</form>");
    }

    b.append("<h2>Recording</h2>");
    if (recording.isPresent() && Files.isRegularFile(recording.get())) {
      b.append("<p>").append(esc(recording.get())).append("</p><audio id=\"player\" controls preload=\"metadata\" src=\"/calls/")
          .append(esc(url(c.uniqueid()))).append("/recording\"></audio>");
    } else {
      b.append("<p id=\"no-recording\">No recording file").append(recording.map(p -> " at " + esc(p)).orElse(""))
          .append(".</p>");
    }

    b.append("<h2>Attempts</h2><table id=\"history\"><thead><tr><th>Time (UTC)</th><th>Attempt</th><th>Stage</th>")
        .append("<th>Outcome</th><th>Message</th></tr></thead><tbody>");
    for (CallDetail.Attempt a : d.history())
      b.append("<tr><td>").append(time(a.at())).append("</td><td>").append(a.attempt()).append("</td><td>")
          .append(esc(a.stage())).append("</td><td>").append(esc(a.outcome())).append("</td><td class=\"error\">")
          .append(esc(a.message())).append("</td></tr>");
    b.append("</tbody></table>");
    return Html.page("Call " + c.uniqueid(), s, b.toString());
  }

  private static void field(StringBuilder b, String name, Object value) {
    b.append("<dt>").append(esc(name)).append("</dt><dd>").append(esc(value)).append("</dd>");
  }
}
