package dev.rootlock.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.rootlock.http.HttpEndpoints;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's HTTPS endpoint, on the JDK's built-in server: POST {@code /mutate} with an
 * AdmissionReview, answered by the {@link Reviewer}. A review the server cannot read is a 400
 * (the API server then applies {@code failurePolicy: Ignore}); a reviewer that fails allows the
 * object unchanged, never denies it.
 */
public final class AdmissionServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** An AdmissionReview carries one object; anything this large is not a review. */
  private static final int MAX_BODY = 8 * 1024 * 1024;

  /** Answers one AdmissionReview request (the {@code request} object) with its {@code response}. */
  @FunctionalInterface
  public interface Reviewer {
    JsonNode review(JsonNode request);
  }

  private final HttpsServer server;
  private final ExecutorService executor;

  /**
   * @param port 0 for any free port
   * @param threads requests served at once (the API server calls with a 3 s timeout)
   */
  public AdmissionServer(int port, ServingCertificate certificate, Reviewer reviewer, int threads) throws IOException {
    HttpEndpoints.useNoDelay();
    server = HttpsServer.create(new InetSocketAddress(port), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(certificate.sslContext()));
    executor = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "rootlock-webhook");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/mutate", exchange -> handle(exchange, reviewer));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void handle(HttpExchange exchange, Reviewer reviewer) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        respond(exchange, 405, "{\"message\":\"POST an admission.k8s.io/v1 AdmissionReview\"}");
        return;
      }
      JsonNode review;
      try (InputStream in = exchange.getRequestBody()) {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
          respond(exchange, 413, "{\"message\":\"an AdmissionReview is not this large\"}");
          return;
        }
        review = JSON.readTree(body);
      } catch (IOException e) {
        respond(exchange, 400, JSON.createObjectNode().put("message", "not JSON: " + e.getMessage()).toString());
        return;
      }
      if (review == null || !review.path("request").isObject() || !review.path("request").hasNonNull("uid")) {
        respond(exchange, 400, "{\"message\":\"expected an AdmissionReview with request.uid\"}");
        return;
      }
      JsonNode request = review.get("request");
      JsonNode response;
      try {
        response = reviewer.review(request);
      } catch (RuntimeException e) {
        // never deny, never fail the API server's request: allow it unchanged, the reconcile hardens later
        LOG.warn("review failed kind={} namespace={} name={}; allowed unchanged: {}", request.path("kind").path("kind")
            .asText(), request.path("namespace").asText(), request.path("name").asText(), e.toString());
        response = Responses.allow(request, null);
      }
      var out = JSON.createObjectNode();
      out.put("apiVersion", review.path("apiVersion").asText("admission.k8s.io/v1"));
      out.put("kind", "AdmissionReview");
      out.set("response", response);
      respond(exchange, 200, out.toString());
    }
  }

  private static void respond(HttpExchange exchange, int code, String body) throws IOException {
    HttpEndpoints.respond(exchange, code, "application/json", body);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
