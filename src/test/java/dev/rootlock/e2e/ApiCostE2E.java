package dev.rootlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.WorkloadState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the operator costs the API server, counted from the audit log by its ServiceAccount (the
 * API server's metrics have no user label): requests per hardened and per reverted workload by
 * verb and resource, written to {@code target/e2e/api-cost.txt} (docs/benchmarks.md keeps the
 * numbers), and none at all in a quiet minute but the leader's Lease renewals. Issue 24's budget:
 * at most 2 requests per hardened workload and 1.5 per reverted one, status writes and Events
 * included.
 */
class ApiCostE2E {
  static final int WORKLOADS = 20;
  static final Path REPORT = Path.of("target/e2e/api-cost.txt");

  static Installation installation;
  static TestNamespace ns;
  static Kube kube;
  static OperatorProcess operator;

  @BeforeAll
  static void setUp() {
    installation = Installation.get();
    Audit.require(installation);
    ns = TestNamespace.create(installation.cluster(), "cost");
    kube = new Kube(installation.cluster(), ns.name());
    names().forEach(n -> kube.apply(Workloads.deployment(n, 1, "RollingUpdate")));
    names().forEach(n -> kube.awaitRolledOut("Deployment", n));
    operator = OperatorProcess.start(installation, "cost", -1);
    operator.awaitLeader();
  }

  @AfterAll
  static void tearDown() {
    OperatorProcess.tearDown(installation, ns, operator);
  }

  @Test
  void hardenQuietRevertCounted() throws IOException {
    AuditLog audit = Audit.require(installation);
    long mark = audit.mark();
    kube.apply(Workloads.policy("cost", "{selector: {matchLabels: {tier: e2e}}}"));
    names().forEach(n -> kube.awaitState("cost", "Deployment", n, WorkloadState.Compliant, Duration.ofSeconds(120)));
    Kube.sleep(Duration.ofSeconds(5)); // what the last verdicts still write (status, Events)
    List<AuditLog.Request> harden = ours(audit.since(mark, Installation.operatorUser()));

    long quiet = audit.mark();
    Kube.sleep(Duration.ofSeconds(60));
    List<AuditLog.Request> steady = ours(audit.since(quiet, Installation.operatorUser()));
    assertThat(steady).as("requests in a quiet minute (Lease renewals aside)").isEmpty();

    long revertMark = audit.mark();
    kube.admin().resources(ReadOnlyPolicy.class).inNamespace(ns.name()).withName("cost").delete();
    names().forEach(n -> await(n));
    Kube.sleep(Duration.ofSeconds(5));
    List<AuditLog.Request> revert = ours(audit.since(revertMark, Installation.operatorUser()));

    Files.createDirectories(REPORT.getParent());
    Files.writeString(REPORT, report("harden", harden) + report("revert", revert));
    assertThat(harden).filteredOn(r -> r.verb().equals("patch") && r.resource().equals("deployments")
        && r.succeeded()).as("one template PATCH per workload").hasSize(WORKLOADS);
    assertThat(revert).filteredOn(r -> r.verb().equals("patch") && r.resource().equals("deployments")
        && r.succeeded()).as("one revert PATCH per workload").hasSize(WORKLOADS);
    // Issue 24's budget: status writes and Events included.
    assertThat(harden.size()).as("requests to harden (see " + REPORT + ")").isLessThanOrEqualTo(2 * WORKLOADS);
    assertThat(revert.size()).as("requests to revert (see " + REPORT + ")").isLessThanOrEqualTo(3 * WORKLOADS / 2);
    assertThat(harden).as("healthy rollouts are judged from the Deployments' status: no pod or ReplicaSet read")
        .noneMatch(r -> r.resource().equals("pods") || r.resource().equals("replicasets"));
  }

  private static void await(String name) {
    org.awaitility.Awaitility.await(name + " reverted").atMost(Duration.ofSeconds(60)).until(() ->
        !kube.annotations("Deployment", name).containsKey("rootlock.dev/revert"));
  }

  /**
   * The requests for this class's workloads: in its namespace or cluster-scoped, Lease renewals
   * aside (what another class left in a namespace still being deleted is not this measurement's).
   */
  private static List<AuditLog.Request> ours(List<AuditLog.Request> requests) {
    return requests.stream().filter(r -> !r.resource().equals("leases"))
        .filter(r -> r.namespace() == null || r.namespace().isEmpty() || r.namespace().equals(ns.name())).toList();
  }

  private static String report(String phase, List<AuditLog.Request> requests) {
    StringBuilder b = new StringBuilder(String.format("%s: %d requests for %d workloads = %.2f per workload%n",
        phase, requests.size(), WORKLOADS, requests.size() / (double) WORKLOADS));
    for (Map.Entry<String, Integer> e : AuditLog.countByVerbAndResource(requests).entrySet()) {
      b.append(String.format("  %-40s %4d%n", e.getKey(), e.getValue()));
    }
    return b.toString();
  }

  private static List<String> names() {
    return IntStream.range(0, WORKLOADS).mapToObj(i -> "cost-" + i).toList();
  }
}
