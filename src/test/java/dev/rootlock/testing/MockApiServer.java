package dev.rootlock.testing;

import dev.rootlock.operator.RootlockOperator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * fabric8's mock API server in CRUD mode (expectations still work), behind one dispatcher of our
 * own, which
 * <ul>
 *   <li>works around a mock bug: a status-subresource PATCH that carries a query string (Rootlock
 *       always sends {@code ?fieldManager=rootlock}) is not recognised as a status write;
 *   <li>answers SelfSubjectRulesReviews, which the mock cannot;
 *   <li>injects faults into the operator's requests (tests of reliability);
 *   <li>logs every operator request with the status it got;
 *   <li>can restart the server on the same port with the same state, dropping every connection.
 * </ul>
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

  /** What to do with one operator request. */
  public enum Fault {
    NONE,
    /** 500 without touching the state. */
    SERVER_ERROR,
    /** 429 with Retry-After: 1. */
    TOO_MANY_REQUESTS,
    /** 409 without touching the state (a conflict the operator cannot see in a re-read). */
    CONFLICT,
    /** 422 without touching the state: the API server refuses the request. */
    UNPROCESSABLE,
    /** Applies the request, then answers 500: the answer was lost, the write happened. */
    APPLIED_THEN_ERROR,
    /** Answers correctly after 300 ms. */
    SLOW,
    /**
     * Another client writes the object (adds label {@code edited-by: someone-else}) just before the
     * request is applied: a real conflict between the operator's read and its patch.
     */
    EDITED_BY_OTHERS_FIRST,
    /** 404 as a real API server answers for a resource type it does not serve (a CRD not installed). */
    NOT_FOUND,
    /** 403 as a real API server answers when RBAC does not allow the request. */
    FORBIDDEN
  }

  /** The write another client makes for {@link Fault#EDITED_BY_OTHERS_FIRST}. */
  public static final String OTHERS_EDIT = "[{\"op\":\"add\",\"path\":\"/metadata/labels/edited-by\",\"value\":\"someone-else\"}]";

  /**
   * One operator request, the status it got, when it was answered (System.nanoTime), and how long
   * the server took to handle it (its one thread, watch events to every watcher included).
   */
  public record Exchange(String method, String path, int status, Fault fault, long nanos, long handlingNanos) {}

  private final Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
  private final Dispatcher crud = new KubernetesMixedDispatcher(responses);
  private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
  /** Requests of other clients, by user-agent prefix, recorded on request (benchmarks' floor clients). */
  private final Map<String, Queue<Exchange>> tracked = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile Function<RecordedRequest, Fault> faults = r -> Fault.NONE;
  private volatile boolean retainEvents = true;
  private volatile Thread journalDrain;
  private final Dispatcher dispatcher = new Dispatcher() {
    @Override
    public MockResponse dispatch(RecordedRequest request) {
      Consumer<RecordedRequest> o = observer;
      if (o != null) {
        o.accept(request);
      }
      if ("POST".equals(request.getMethod()) && request.getPath().startsWith(RULES_REVIEW)) {
        return new MockResponse().setResponseCode(201).setBody(LEASE_RULES);
      }
      long start = System.nanoTime();
      boolean operator = isOperator(request);
      Fault fault = operator && !isWatch(request) ? faults.apply(request) : Fault.NONE;
      MockResponse response = switch (fault) {
        case SERVER_ERROR -> status(500, "InternalError", "injected fault");
        case TOO_MANY_REQUESTS -> status(429, "TooManyRequests", "injected throttling").setHeader("Retry-After", "1");
        case CONFLICT -> status(409, "Conflict", "injected conflict");
        case UNPROCESSABLE -> status(422, "Invalid", "injected refusal");
        case APPLIED_THEN_ERROR -> {
          // Only a request the server applies can lose its answer; a refused one says why.
          MockResponse applied = crud.dispatch(withoutStatusQuery(request));
          yield code(applied) < 300 ? status(500, "InternalError", "injected: applied, answer lost") : applied;
        }
        case SLOW -> crud.dispatch(withoutStatusQuery(request)).setBodyDelay(300, TimeUnit.MILLISECONDS);
        case EDITED_BY_OTHERS_FIRST -> {
          String path = request.getPath().replaceAll("\\?.*", "");
          crud.dispatch(new RecordedRequest(request.getHttpVersion(), HttpMethod.PATCH, path, request.getHeaders(),
              new Buffer(OTHERS_EDIT.getBytes(StandardCharsets.UTF_8))));
          yield crud.dispatch(withoutStatusQuery(request));
        }
        case NOT_FOUND -> status(404, "NotFound", "the server could not find the requested resource");
        case FORBIDDEN -> forbidden(request);
        case NONE -> !retainEvents && isEventCreate(request)
            ? new MockResponse().setResponseCode(201).setBody(request.getBody().readUtf8())
            : crud.dispatch(withoutStatusQuery(request));
      };
      if (operator) {
        exchanges.add(new Exchange(request.getMethod(), request.getPath(), code(response), fault, System.nanoTime(),
            System.nanoTime() - start));
      }
      String agent = request.getHeader("User-Agent");
      if (agent != null && !tracked.isEmpty()) {
        tracked.forEach((prefix, list) -> {
          if (agent.startsWith(prefix)) {
            list.add(new Exchange(request.getMethod(), request.getPath(), code(response), fault, System.nanoTime(),
                System.nanoTime() - start));
          }
        });
      }
      return response;
    }
  };
  private KubernetesMockServer server;
  private final KubernetesClient client;

  public MockApiServer() {
    server = newServer();
    server.init();
    client = server.createClient();
  }

  private KubernetesMockServer newServer() {
    return new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
  }

  /**
   * Whether Events are stored (default) or only answered, as created. The CRUD dispatcher finds an
   * object by scanning every object it holds, so each stored Event makes every later request
   * slower, which a real API server's keyed storage does not; a benchmark comparing a client that
   * writes Events with one that does not can leave them out (docs/benchmarks.md says where).
   */
  public void retainEvents(boolean retain) {
    retainEvents = retain;
  }

  /**
   * Stops keeping a copy of every request: fabric8's MockWebServer queues each one, body included,
   * for {@code takeRequest}, and never drops them. A benchmark that sends tens of thousands of
   * requests and counts them through {@link #exchanges()} instead has a daemon thread take them as
   * they come, so the heap it reports holds the server's objects and the operator's, not a journal
   * (at 10,000 workloads the journal was most of a 512 MiB heap).
   */
  public void keepNoRequestJournal() {
    Thread drain = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          server.takeRequest(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException restarting) {
          // the server is being replaced (restart) or closed: look again
        }
      }
    }, "mock-request-journal-drain");
    drain.setDaemon(true);
    drain.start();
    journalDrain = drain;
  }

  private static boolean isEventCreate(RecordedRequest r) {
    return "POST".equals(r.getMethod()) && r.getPath().replaceAll("\\?.*", "").matches(".*/namespaces/[^/]+/events");
  }

  private static boolean isOperator(RecordedRequest r) {
    String agent = r.getHeader("User-Agent");
    return agent != null && agent.startsWith(RootlockOperator.USER_AGENT);
  }

  private static boolean isWatch(RecordedRequest r) {
    return r.getPath().contains("watch=true");
  }

  /** The code of "HTTP/1.1 200 OK". */
  private static int code(MockResponse r) {
    String[] parts = r.getStatus().split(" ");
    return parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
  }

  private static MockResponse status(int code, String reason, String message) {
    return new MockResponse().setResponseCode(code).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
        + "\"reason\":\"" + reason + "\",\"message\":\"" + message + "\",\"code\":" + code + "}");
  }

  /** The message kube-apiserver's RBAC authorizer gives, for the operator's service account. */
  private static MockResponse forbidden(RecordedRequest r) {
    String[] parts = r.getPath().replaceAll("\\?.*", "").split("/");
    boolean core = parts.length > 1 && parts[1].equals("api");
    String group = core ? "" : parts.length > 2 ? parts[2] : "";
    String resource = parts[parts.length - 1];
    for (int i = 0; i < parts.length - 1; i++) {
      if (parts[i].equals("namespaces") && i + 2 < parts.length) {
        resource = parts[i + 2];
      }
    }
    String verb = switch (r.getMethod()) {
      case "GET" -> r.getPath().contains("watch=true") ? "watch" : "list";
      case "PATCH" -> "patch";
      case "POST" -> "create";
      case "DELETE" -> "delete";
      default -> "update";
    };
    return status(403, "Forbidden", resource + (group.isEmpty() ? "" : "." + group) + " is forbidden: User "
        + "\\\"system:serviceaccount:rootlock-system:rootlock-operator\\\" cannot " + verb + " resource \\\"" + resource
        + "\\\" in API group \\\"" + group + "\\\" at the cluster scope");
  }

  private static RecordedRequest withoutStatusQuery(RecordedRequest r) {
    String path = r.getPath();
    int q = path == null ? -1 : path.indexOf('?');
    if (q < 0 || !path.substring(0, q).endsWith("/status")) {
      return r;
    }
    return new RecordedRequest(r.getHttpVersion(), r.method(), path.substring(0, q), r.getHeaders(), r.getBody());
  }

  /** Decides a fault for each of the operator's requests (watches excepted) from now on. */
  public void injectFaults(Function<RecordedRequest, Fault> decide) {
    this.faults = decide;
  }

  public List<Exchange> exchanges() {
    return exchanges;
  }

  /** From now on, also records every request of clients whose user agent starts with {@code prefix}. */
  public Queue<Exchange> track(String prefix) {
    return tracked.computeIfAbsent(prefix, k -> new java.util.concurrent.ConcurrentLinkedQueue<>());
  }

  /**
   * Stops the server, dropping every connection and watch, and starts it again on the same port
   * with the same objects, as an API server restart would.
   */
  public void restart() {
    int port = server.getPort();
    server.destroy();
    server = newServer();
    try {
      server.init(InetAddress.getByName("localhost"), port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public KubernetesMockServer server() {
    return server;
  }

  public KubernetesClient client() {
    return client;
  }

  @Override
  public void close() {
    if (journalDrain != null) {
      journalDrain.interrupt();
    }
    client.close();
    server.destroy();
  }
}
