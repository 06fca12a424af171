package dev.rootlock.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The one small HTTP server of the operator, on the JDK's built-in server (no framework needed for
 * three read-only endpoints): {@code /metrics} (Prometheus text, or OpenMetrics when the scraper
 * asks for it), {@code /healthz} (liveness) and {@code /readyz} (readiness).
 */
public final class HttpEndpoints implements AutoCloseable {
  static {
    useNoDelay();
  }

  /**
   * The JDK server writes a response's headers and body separately; with Nagle's algorithm on,
   * the body then waits for the client's delayed ACK: about 40 ms added to every answer (measured:
   * an admission review took 44 ms at p50 with the CPU idle). Read once, when the JDK's server
   * configuration loads, so it is set before the first server of this process starts.
   */
  public static void useNoDelay() {
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  static final String OPENMETRICS = "application/openmetrics-text";

  private final HttpServer server;

  /** A probe's answer: healthy or not, and a line saying why. */
  public record Probe(boolean ok, String detail) {}

  public HttpEndpoints(int port, PrometheusMeterRegistry registry, Supplier<Probe> liveness,
      Supplier<Probe> readiness) throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 0);
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "rootlock-http");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/metrics", exchange -> {
      String accept = exchange.getRequestHeaders().getFirst("Accept");
      String contentType = accept != null && accept.contains(OPENMETRICS)
          ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
          : "text/plain; version=0.0.4; charset=utf-8";
      respond(exchange, 200, contentType, registry.scrape(contentType));
    });
    server.createContext("/healthz", exchange -> probe(exchange, liveness.get()));
    server.createContext("/readyz", exchange -> probe(exchange, readiness.get()));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void probe(HttpExchange exchange, Probe p) throws IOException {
    respond(exchange, p.ok() ? 200 : 503, "text/plain; charset=utf-8", (p.ok() ? "ok" : "not ok") + ": " + p.detail() + "\n");
  }

  /** Sends {@code body} with {@code code} (headers only for HEAD); shared with the webhook's server. */
  public static void respond(HttpExchange exchange, int code, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    if ("HEAD".equals(exchange.getRequestMethod())) {
      exchange.sendResponseHeaders(code, -1);
      exchange.close();
      return;
    }
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
