package dev.rootlock.operator;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

/**
 * Times every API request this client makes (Rootlock's, the framework's and the informers'), from
 * the moment the request is handed to the HTTP client to the arrival of the response headers, as
 * {@code rootlock_api_request_duration_seconds{method, resource}} (see docs/metrics.md). What it
 * shows that the API server's own metrics do not: the time a request spends on this side — queued
 * behind the HTTP connection, or waiting for CPU in a throttled pod — which is where a slow
 * reconcile of a CPU-limited operator goes. Watches are left out: they stay open by design.
 */
final class RequestTimer implements Interceptor {
  static final String NAME = "rootlock-request-timer";
  static final String METRIC = "rootlock.api.request.duration";

  private final MeterRegistry registry;

  RequestTimer(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public AsyncBody.Consumer<List<ByteBuffer>> consumer(AsyncBody.Consumer<List<ByteBuffer>> consumer,
      HttpRequest request) {
    // Called once per attempt, just before it is sent: the wrapper carries the start to after().
    return isWatch(request) ? consumer : new Started(consumer, System.nanoTime());
  }

  @Override
  public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    if (consumer instanceof Started started) {
      Timer.builder(METRIC)
          .description("Time from handing an API request to the HTTP client to its response headers, by HTTP "
              + "method and resource")
          .tags("method", request.method(), "resource", resource(request.uri().getRawPath()))
          .serviceLevelObjectives(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
              Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
              Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10))
          .register(registry)
          .record(Duration.ofNanos(System.nanoTime() - started.nanos));
    }
  }

  private static boolean isWatch(HttpRequest request) {
    String query = request.uri().getRawQuery();
    return query != null && (query.startsWith("watch=true") || query.contains("&watch=true"));
  }

  /**
   * The resource a path names, with its subresource: {@code /apis/apps/v1/namespaces/a/deployments/web}
   * is {@code deployments}, {@code .../readonlypolicies/web/status} is {@code readonlypolicies/status},
   * {@code /api/v1/namespaces/a} is {@code namespaces}; {@code other} for a path outside the API
   * (discovery, {@code /version}). Names and namespaces never become label values.
   */
  static String resource(String path) {
    String[] s = path == null ? new String[0] : path.split("/");
    // "", "api", version, ... or "", "apis", group, version, ...
    int i = s.length > 2 && s[1].equals("api") ? 3 : s.length > 3 && s[1].equals("apis") ? 4 : -1;
    if (i < 0 || i >= s.length) {
      return "other";
    }
    if (s[i].equals("namespaces") && s.length > i + 2) {
      i += 2; // namespaces/<namespace>/<resource>...
    }
    return s.length > i + 2 ? s[i] + "/" + s[i + 2] : s[i];
  }

  /** The body consumer of one attempt, and when it was sent. */
  private record Started(AsyncBody.Consumer<List<ByteBuffer>> delegate, long nanos)
      implements AsyncBody.Consumer<List<ByteBuffer>> {
    @Override
    public void consume(List<ByteBuffer> value, AsyncBody asyncBody) throws Exception {
      delegate.consume(value, asyncBody);
    }

    @Override
    public <T> T unwrap(Class<T> target) {
      return delegate.unwrap(target);
    }
  }
}
