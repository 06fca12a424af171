package dev.rootlock.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The API server's audit log (one JSON event per line, written by the local control plane with a
 * Metadata-level policy): who made which request, with which answer. The only place requests can
 * be counted per user: {@code apiserver_request_total} has no user label.
 *
 * <p>A request appears once per stage (a watch as ResponseStarted and, when it ends,
 * ResponseComplete); {@link #since} keeps one entry per request (its audit ID).
 */
public final class AuditLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;

  public AuditLog(Path file) {
    this.file = file;
  }

  /**
   * One request as the API server saw it.
   *
   * @param received when the API server received it ({@code requestReceivedTimestamp}, microseconds)
   */
  public record Request(String id, String user, String verb, String resource, String subresource, String namespace,
      String name, int code, String uri, String decision, Instant received) {
    /** True for a request the API server carried out (2xx); a 409 Conflict is a request that wrote nothing. */
    public boolean succeeded() {
      return code >= 200 && code < 300;
    }

    /** {@code resource/subresource}, the way RBAC and the metrics name it. */
    public String target() {
      return subresource.isEmpty() ? resource : resource + "/" + subresource;
    }

    @Override
    public String toString() {
      return verb + " " + target() + (namespace.isEmpty() ? "" : " " + namespace)
          + (name.isEmpty() ? "" : "/" + name) + " -> " + code;
    }
  }

  /** Where the log ends now: requests after this mark are what {@link #since} reads. */
  public long mark() {
    awaitFlushed();
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every request made after {@code mark} by {@code user}, one per audit ID, in log order. */
  public List<Request> since(long mark, String user) {
    return since(mark, r -> r.user().equals(user));
  }

  public List<Request> since(long mark, Predicate<Request> which) {
    awaitFlushed();
    Map<String, Request> byId = new LinkedHashMap<>();
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      in.seek(mark);
      byte[] rest = new byte[(int) (in.length() - mark)];
      in.readFully(rest);
      for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        Request r = parse(JSON.readTree(line));
        if (which.test(r)) {
          // the last stage wins: a watch's final code comes with ResponseComplete
          byId.merge(r.id(), r, (a, b) -> b.code() != 0 ? b : a);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ArrayList<>(byId.values());
  }

  private static Request parse(JsonNode e) {
    JsonNode ref = e.path("objectRef");
    return new Request(e.path("auditID").asText(), e.path("user").path("username").asText(), e.path("verb").asText(),
        ref.path("resource").asText(), ref.path("subresource").asText(), ref.path("namespace").asText(),
        ref.path("name").asText(), e.path("responseStatus").path("code").asInt(0), e.path("requestURI").asText(),
        e.path("annotations").path("authorization.k8s.io/decision").asText(),
        Instant.parse(e.path("requestReceivedTimestamp").asText(Instant.EPOCH.toString())));
  }

  /** Counts by {@code verb resource[/subresource]}, sorted, for reports and assertions. */
  public static Map<String, Integer> countByVerbAndResource(List<Request> requests) {
    Map<String, Integer> out = new TreeMap<>();
    requests.forEach(r -> out.merge(r.verb() + " " + r.target(), 1, Integer::sum));
    return out;
  }

  /**
   * The API server writes the log in batches (at most a second apart, {@code
   * --audit-log-batch-max-wait}); waiting a little longer than that makes what happened before
   * this call visible.
   */
  private static void awaitFlushed() {
    try {
      Thread.sleep(1500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
