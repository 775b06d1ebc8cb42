package dev.postcall.admin;

import dev.postcall.config.PostcallConfig;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.JavalinConfig;
import java.util.function.Consumer;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The one HTTP server set-up of the admin web and of the ops listener (/metrics, /health, /ready
 * on nodes without the web role): Javalin on {@code web.bind:web.port}, a small named thread pool,
 * no server version, the security headers on every answer, Jetty's own error answers as plain
 * text. The caller adds its routes.
 */
final class WebServer {
  private WebServer() {}

  static Javalin create(PostcallConfig.Web web, String threadName, int maxThreads, Consumer<JavalinConfig> routes) {
    return Javalin.create(config -> {
      QueuedThreadPool pool = new QueuedThreadPool(maxThreads, 2);
      pool.setName(threadName);
      config.jetty.threadPool = pool;
      config.jetty.host = web.bind().getHostAddress();
      config.jetty.port = web.port();
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      // recordings are served in byte ranges and pages are small: nothing to gain, ranges to lose
      config.http.compressionStrategy = CompressionStrategy.NONE;
      config.router.ignoreTrailingSlashes = false;
      config.router.treatMultipleSlashesAsSingleSlash = false;
      config.jetty.modifyHttpConfiguration(http -> {
        // no "Server: Jetty(version)" on every response
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
      });
      config.jetty.modifyServer(server -> {
        server.setErrorHandler(new PlainErrorHandler());
        server.setStopTimeout(2000);
      });
      config.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new PlainErrorHandler()));
      config.routes.before(ctx -> SecurityHeaders.apply(ctx.res()));
      routes.accept(config);
    });
  }
}
