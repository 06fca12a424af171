package dev.rootlock.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.function.Consumer;

/**
 * fabric8's mock API server in CRUD mode (expectations still work), behind one dispatcher of our
 * own. That dispatcher works around one mock bug: a status-subresource PATCH that carries a query
 * string (Rootlock always sends {@code ?fieldManager=rootlock}) is not recognised as a status
 * write and silently ignored. Requests are recorded as sent, query included.
 */
public final class MockApiServer implements AutoCloseable {
  /** When set, sees every request every mock server receives (the RBAC test records with it). */
  public static volatile Consumer<RecordedRequest> observer;

  private static final String RULES_REVIEW = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";
  /**
   * JOSDK asks, before leader election, whether it may use Leases; a real API server answers from
   * RBAC, the mock cannot (it rejects the review): answer as the Role in deploy/rbac.yaml would.
   */
  private static final String LEASE_RULES = """
      {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","metadata":{},
       "spec":{"namespace":"rootlock-system"},
       "status":{"incomplete":false,"nonResourceRules":[],"resourceRules":[
         {"apiGroups":["coordination.k8s.io"],"resources":["leases"],"verbs":["get","create","update"]}]}}
      """;

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  public MockApiServer() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    Dispatcher crud = new KubernetesMixedDispatcher(responses);
    server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        Consumer<RecordedRequest> o = observer;
        if (o != null) {
          o.accept(request);
        }
        if ("POST".equals(request.getMethod()) && request.getPath().startsWith(RULES_REVIEW)) {
          return new MockResponse().setResponseCode(201).setBody(LEASE_RULES);
        }
        return crud.dispatch(withoutStatusQuery(request));
      }
    }, false);
    server.init();
    client = server.createClient();
  }

  private static RecordedRequest withoutStatusQuery(RecordedRequest r) {
    String path = r.getPath();
    int q = path == null ? -1 : path.indexOf('?');
    if (q < 0 || !path.substring(0, q).endsWith("/status")) {
      return r;
    }
    return new RecordedRequest(r.getHttpVersion(), r.method(), path.substring(0, q), r.getHeaders(), r.getBody());
  }

  public KubernetesMockServer server() {
    return server;
  }

  public KubernetesClient client() {
    return client;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
