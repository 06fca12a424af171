package dev.rootlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rootlock.api.WorkloadState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two replicas, as the Deployment of deploy/ runs with {@code replicas: 2}: one Lease in the real
 * coordination API, one writer at a time. Every workload is patched exactly once however the
 * leadership moves: the standby writes nothing while it waits, and the replica that takes over
 * after the leader stops finds its work done and writes nothing again.
 */
class LeaderElectionE2E {
  static final String POLICY = "harden";

  static Installation installation;
  static TestNamespace ns;
  static Kube kube;
  static OperatorProcess first;
  static OperatorProcess second;

  @BeforeAll
  static void setUp() {
    installation = Installation.get();
    ns = TestNamespace.create(installation.cluster(), "leader");
    kube = new Kube(installation.cluster(), ns.name());
  }

  @AfterAll
  static void tearDown() {
    OperatorProcess.tearDown(installation, ns, first, second);
  }

  @Test
  void eachWorkloadIsPatchedOnceAcrossATakeover() {
    AuditLog audit = Audit.require(installation);
    long mark = audit.mark();
    // the webhook stays off: every hardening below is a write of the reconcile
    first = OperatorProcess.start(installation, "leader-a", -1);
    first.awaitLeader();
    second = OperatorProcess.start(installation, "leader-b", -1);
    assertThat(second.isLeader()).as("one leader at a time").isFalse();
    List<String> before = names("before", 4);
    before.forEach(n -> kube.apply(Workloads.deployment(n, 1, "RollingUpdate")));
    kube.apply(Workloads.policy(POLICY, "{selector: {matchLabels: {tier: e2e}}}"));
    before.forEach(n -> kube.awaitState(POLICY, "Deployment", n, WorkloadState.Compliant, Duration.ofSeconds(90)));

    first.close(); // SIGTERM: hands the Lease over
    await("leader-b takes over").atMost(Duration.ofSeconds(60)).until(second::isLeader);
    List<String> after = names("after", 3);
    after.forEach(n -> kube.apply(Workloads.deployment(n, 1, "RollingUpdate")));
    after.forEach(n -> kube.awaitState(POLICY, "Deployment", n, WorkloadState.Compliant, Duration.ofSeconds(90)));
    Kube.sleep(Duration.ofSeconds(10)); // for anything the new leader would still write about the old workloads

    Map<String, Long> patches = audit.since(mark, Installation.operatorUser()).stream()
        .filter(r -> r.verb().equals("patch") && r.resource().equals("deployments") && r.subresource().isEmpty())
        .filter(AuditLog.Request::succeeded) // a 409 on a stale resourceVersion wrote nothing (docs/testing.md)
        .collect(Collectors.groupingBy(AuditLog.Request::name, Collectors.counting()));
    Map<String, Long> once = IntStream.range(0, before.size() + after.size()).boxed().collect(Collectors.toMap(
        i -> i < before.size() ? before.get(i) : after.get(i - before.size()), i -> 1L));
    assertThat(patches).as("PATCHes per Deployment across both replicas").isEqualTo(once);
  }

  private static List<String> names(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> prefix + "-" + i).toList();
  }
}
