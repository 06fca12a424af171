package dev.rootlock.operator;

import dev.rootlock.metrics.RootlockMetrics;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
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

  private final RootlockMetrics metrics;

  RequestTimer(RootlockMetrics metrics) {
    this.metrics = metrics;
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
      metrics.apiRequest(request.method(), resource(request.uri().getRawPath()), System.nanoTime() - started.nanos);
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
