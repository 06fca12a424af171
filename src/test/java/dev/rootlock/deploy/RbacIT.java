package dev.rootlock.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;


import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.operator.RootlockOperator;
import dev.rootlock.testing.MockApiServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * Least privilege, proven from real traffic: runs the integration scenarios while recording every
 * request the operator makes, then checks that the rendered ClusterRole and Role allow each of
 * them, and that they grant nothing that was never used.
 */
class RbacIT {
  /** Requests the operator makes that need no grant from deploy/: why each is fine. */
  static final Map<String, String> GRANTED_ELSEWHERE = Map.of(
      "create authorization.k8s.io/selfsubjectrulesreviews",
      "JOSDK checks its Lease permissions before leader election; every authenticated user may ask "
          + "(default ClusterRole system:basic-user)");

  /** Rules granted on purpose though no scenario exercises them, and why. */
  static final Map<String, String> DELIBERATE_EXTRAS = Map.of(
      "get rootlock.dev/readonlypolicies",
      "JOSDK re-reads a policy by name when adding or removing its finalizer hits a 409 "
          + "(ReconciliationDispatcher.conflictRetryingPatch), and Rootlock asks whether a recorded owner "
          + "its cache does not know yet exists; the recorded scenarios never make either race happen");

  /** verb, API group ("" for core), resource[/subresource], namespace ("" when cluster-wide), name ("" for collections). */
  record Access(String verb, String group, String resource, String namespace, String name) implements Comparable<Access> {
    String key() {
      return verb + " " + (group.isEmpty() ? "" : group + "/") + resource;
    }

    @Override
    public int compareTo(Access o) {
      return (key() + namespace).compareTo(o.key() + o.namespace);
    }
  }

  private static final Pattern PATH = Pattern.compile(
      "^/(?:api/v1|apis/([^/]+)/[^/]+)(?:/namespaces/([^/]+))?/([^/?]+)(?:/([^/?]+))?(?:/([^/?]+))?(?:\\?(.*))?$");

  static Access access(RecordedRequest r) {
    Matcher m = PATH.matcher(r.getPath());
    if (!m.matches()) {
      throw new AssertionError("unparsed request path " + r.getPath());
    }
    String group = m.group(1) == null ? "" : m.group(1);
    String namespace = m.group(2) == null ? "" : m.group(2);
    String resource = m.group(3);
    String name = m.group(4);
    String sub = m.group(5);
    String query = m.group(6) == null ? "" : m.group(6);
    String verb = switch (r.getMethod()) {
      case "GET" -> query.matches("(^|.*&)watch=(true|1)(&.*|$)") ? "watch" : name == null ? "list" : "get";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> name == null ? "deletecollection" : "delete";
      default -> throw new AssertionError("unexpected method " + r.getMethod());
    };
    return new Access(verb, group, sub == null ? resource : resource + "/" + sub, namespace, name == null ? "" : name);
  }

  /** One RBAC rule flattened: group, resource, verb, the namespace and resource names it is limited to. */
  record Grant(String group, String resource, String verb, String namespace, List<String> names) {
    boolean allows(Access a) {
      return group.equals(a.group()) && resource.equals(a.resource()) && verb.equals(a.verb())
          && (namespace.isEmpty() || namespace.equals(a.namespace()))
          && (names.isEmpty() || names.contains(a.name()));
    }

    String key() {
      return verb + " " + (group.isEmpty() ? "" : group + "/") + resource;
    }
  }

  @Test
  void theRolesGrantExactlyWhatTheOperatorUses() throws Exception {
    Set<Access> used = ConcurrentHashMap.newKeySet();
    MockApiServer.observer = r -> {
      String agent = r.getHeader("User-Agent");
      // /version (seed.method Auto) is readable by every authenticated user (system:public-info-viewer)
      if (agent != null && agent.startsWith(RootlockOperator.USER_AGENT) && !r.getPath().equals("/version")) {
        used.add(access(r));
      }
    };
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    try {
      LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
          .selectors(selectClass("dev.rootlock.reconciler.OperatorIT"), selectClass("dev.rootlock.metrics.MetricsIT"),
              selectClass("dev.rootlock.operator.LeaderElectionIT"), selectClass("dev.rootlock.rollout.RolloutIT"),
              selectClass("dev.rootlock.reports.ReportsIT"), selectClass("dev.rootlock.admission.AdmissionIT"))
          .build(), listener);
    } finally {
      MockApiServer.observer = null;
    }
    var summary = listener.getSummary();
    assertThat(summary.getFailures()).as("the recorded scenarios themselves pass").extracting(
        f -> f.getTestIdentifier().getDisplayName() + ": " + f.getException()).isEmpty();
    assertThat(summary.getTestsSucceededCount()).isGreaterThanOrEqualTo(20);

    List<Grant> grants = grants(Rendered.deploy());
    List<String> denied = new ArrayList<>();
    for (Access a : new TreeSet<>(used)) {
      if (grants.stream().noneMatch(g -> g.allows(a)) && !GRANTED_ELSEWHERE.containsKey(a.key())) {
        denied.add(a.key() + (a.namespace().isEmpty() ? " (cluster-wide)" : " in " + a.namespace()));
      }
    }
    assertThat(denied).as("requests the roles in deploy/ would deny").isEmpty();

    List<String> unused = new ArrayList<>();
    for (Grant g : grants) {
      if (used.stream().noneMatch(g::allows) && !DELIBERATE_EXTRAS.containsKey(g.key())) {
        unused.add(g.key() + (g.namespace().isEmpty() ? "" : " in " + g.namespace()));
      }
    }
    assertThat(unused).as("grants no scenario used").isEmpty();
    System.out.println("rbac: " + used.size() + " distinct accesses, all allowed; " + grants.size() + " grants, all used");
  }

  static List<Grant> grants(List<JsonNode> objects) {
    List<Grant> out = new ArrayList<>();
    for (JsonNode o : objects) {
      String kind = o.path("kind").asText();
      if (!kind.equals("ClusterRole") && !kind.equals("Role")) {
        continue;
      }
      String namespace = kind.equals("Role") ? o.at("/metadata/namespace").asText() : "";
      for (JsonNode rule : o.path("rules")) {
        List<String> names = new ArrayList<>();
        rule.path("resourceNames").forEach(n -> names.add(n.asText()));
        for (JsonNode g : rule.path("apiGroups")) {
          for (JsonNode r : rule.path("resources")) {
            for (JsonNode v : rule.path("verbs")) {
              assertThat(List.of(g.asText(), r.asText(), v.asText())).as("no wildcards").doesNotContain("*");
              out.add(new Grant(g.asText(), r.asText(), v.asText(), namespace, names));
            }
          }
        }
      }
    }
    return out;
  }
}
