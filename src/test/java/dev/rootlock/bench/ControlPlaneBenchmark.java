package dev.rootlock.bench;

import dev.rootlock.e2e.AuditLog;
import dev.rootlock.e2e.E2ECluster;
import dev.rootlock.e2e.Installation;
import dev.rootlock.testing.LocalPorts;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Rootlock against a real control plane (the local one of src/test/cluster/cluster: a real API
 * server, the real Deployment controller, KWOK nodes), against its floor: N Deployments over a
 * number of namespaces, one policy each, default pacing; alternately the operator (the packaged
 * jar, its own JVM, with the token of deploy/'s ServiceAccount) and the floor ({@link
 * PacedFloorClient}: the same patches, the same pacing, the same rollouts waited for; a cold JVM
 * with the same flags, with a ServiceAccount of its own bound to the same ClusterRole), each from
 * Deployments created afresh ({@link ControlPlaneWorkloads#reset}). Requests are counted from the
 * API server's audit log by each one's user (its metrics have no user label); CPU and peak RSS
 * come from /proc. See docs/benchmarks.md.
 *
 * <pre>mvn -q -Pbench -Dbench.mode=control-plane -Dbench.kubeconfig=/tmp/rootlock-cluster/admin.kubeconfig</pre>
 */
public final class ControlPlaneBenchmark {
  static final String FLOOR_ACCOUNT = "rootlock-bench-floor";
  /** After convergence: the Events and status writes that follow the last verdicts (as ApiCostE2E waits). */
  static final Duration SETTLE = Duration.ofSeconds(5);
  static final Duration TIMEOUT = Duration.ofMinutes(Integer.getInteger("bench.timeoutMinutes", 60));

  private final int n;
  private final ControlPlaneWorkloads workloads;
  private final AuditLog audit;
  private final KubernetesClient admin;
  private final OperatorJvm jvm;
  private final Path operatorKubeconfig;
  private final Path floorKubeconfig;
  private final Set<String> namespaces;

  private ControlPlaneBenchmark(int n, int namespaceCount, E2ECluster cluster, AuditLog audit, OperatorJvm jvm,
      Path operatorKubeconfig, Path floorKubeconfig) {
    this.n = n;
    this.admin = cluster.admin();
    this.workloads = new ControlPlaneWorkloads(admin, n, namespaceCount);
    this.audit = audit;
    this.jvm = jvm;
    this.operatorKubeconfig = operatorKubeconfig;
    this.floorKubeconfig = floorKubeconfig;
    this.namespaces = Set.copyOf(workloads.namespaces());
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int pairs = Integer.getInteger("bench.pairs", 5);
    int namespaceCount = Integer.getInteger("bench.namespaces", BenchWorkloads.NAMESPACES);
    String kubeconfig = System.getProperty("bench.kubeconfig", "");
    if (kubeconfig.isBlank()) {
      // never the machine's KUBECONFIG, and never a control plane started on the default ports behind
      // the user's back: the run takes long and must be pointed at a cluster deliberately
      throw new IllegalArgumentException("-Dbench.kubeconfig is not set: name the admin kubeconfig of a local "
          + "control plane (the last line `src/test/cluster/cluster up` prints)");
    }
    System.setProperty("rootlock.e2e.kubeconfig", kubeconfig);
    if (!Files.isRegularFile(ColdProcessBenchmark.JAR)) {
      throw new IllegalStateException(ColdProcessBenchmark.JAR + " is missing: run mvn package -DskipTests first");
    }
    Installation installation = Installation.get();
    E2ECluster cluster = installation.cluster();
    Path auditFile = System.getProperty("bench.auditLog", "").isBlank() ? cluster.auditLog().orElseThrow(() ->
        new IllegalStateException("no audit log for " + kubeconfig + ": it is read only on the local control plane "
            + "(run with the same ROOTLOCK_CLUSTER_DIR it was started with, or name it with -Dbench.auditLog)"))
        : Path.of(System.getProperty("bench.auditLog"));
    // the bench measures the reconcile; with deploy/'s webhook configuration pointing at no server
    // every PATCH would wait for a refused call first (failurePolicy: Ignore), the floor's too
    cluster.kubectlOk("delete", "mutatingwebhookconfiguration", Installation.WEBHOOK, "--ignore-not-found");
    Files.createDirectories(ColdProcessBenchmark.OUT);
    ControlPlaneBenchmark bench = new ControlPlaneBenchmark(n, namespaceCount, cluster, new AuditLog(auditFile),
        OperatorJvm.fromSystemProperties(), installation.operatorKubeconfig(), floorAccount(cluster));
    bench.workloads.prepare();
    List<ControlPlaneRun> runs = new ArrayList<>();
    String setup = String.format("N=%d Deployments over %d namespaces, one policy each %s, %d pairs; %s; %s; "
        + "API server audit log %s", n, namespaceCount, ScaleBenchmark.POLICY, pairs, bench.jvm.describe(),
        cpuLimit(), auditFile);
    for (int pair = 1; pair <= pairs; pair++) {
      long started = System.nanoTime();
      runs.add(bench.runOperator(pair));
      runs.add(bench.runFloor(pair));
      System.out.printf("pair %d of %d done in %.0f s (two resets included)%n", pair, pairs,
          (System.nanoTime() - started) / 1e9);
      String text = new ControlPlaneReport(setup, runs).text();
      Files.writeString(ColdProcessBenchmark.OUT.resolve("control-plane-" + n + ".txt"), text);
    }
    bench.workloads.remove();
    System.out.println(new ControlPlaneReport(setup, runs).text());
    System.exit(0);
  }

  private ControlPlaneRun runOperator(int pair) throws Exception {
    Duration reset = reset();
    // the Lease the last run handed over: gone, so every run acquires it the same way
    admin.leases().inNamespace(Installation.NAMESPACE).withName(Installation.SERVICE_ACCOUNT).delete();
    workloads.createPolicies();
    // the floor's patches for these Deployments: how many need a change, for the per-hardened figure
    int hardened = workloads.writeFloorPatches(ColdProcessBenchmark.OUT.resolve("control-plane-operator-needs.tsv"));
    try (PolicyWatch watch = new PolicyWatch(admin, BenchWorkloads.expectedCompliant(n),
        ControlPlaneWorkloads.POLICY_LABEL)) {
      long mark = audit.mark();
      List<String> args = new ArrayList<>(jvm.extraArguments());
      // deploy/operator.yaml's arguments, the webhook off (its configuration is removed: see main)
      args.addAll(List.of("-jar", ColdProcessBenchmark.JAR.toString(), "run", "--leader-election", "--log-format=json",
          "--resync=10m", "--reports=auto", "--webhook=false", "--lease-namespace", Installation.NAMESPACE,
          "--identity", "bench-operator", "--http-port", String.valueOf(LocalPorts.free())));
      String extra = System.getProperty("bench.operatorArgs", "").trim();
      if (!extra.isEmpty()) {
        args.addAll(Arrays.asList(extra.split("\\s+")));
      }
      JvmProcess p = JvmProcess.start("operator", args, jvm.environment(operatorKubeconfig),
          ColdProcessBenchmark.OUT.resolve("control-plane-operator-" + pair + ".log"));
      try {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (watch.convergedNanos() == 0) {
          if (!p.isAlive() || System.nanoTime() > deadline) {
            throw new IllegalStateException("operator " + (p.isAlive() ? "not converged within " + TIMEOUT
                : "exited") + "; see " + p.log());
          }
          Thread.sleep(100);
        }
        long convergence = (watch.convergedNanos() - p.startedNanos()) / 1_000_000;
        Thread.sleep(SETTLE.toMillis());
        ProcFigures proc = p.figures();
        List<AuditLog.Request> requests = ours(audit.since(mark, Installation.operatorUser()));
        ControlPlaneRun run = ControlPlaneRun.of("operator", pair, requests, n, hardened, proc, p.startedMillis(),
            convergence);
        System.out.printf("operator %d: converged in %.1f s (reset took %.0f s), %d requests; %s%n", pair,
            convergence / 1000.0, reset.toMillis() / 1000.0, run.requestsForWorkloads(), p.cpuLimit());
        return run;
      } finally {
        p.close();
      }
    }
  }

  private ControlPlaneRun runFloor(int pair) throws Exception {
    Duration reset = reset();
    Path patches = ColdProcessBenchmark.OUT.resolve("control-plane-floor-patches-" + n + ".tsv");
    int hardened = workloads.writeFloorPatches(patches);
    long mark = audit.mark();
    List<String> args = List.of("-cp", ColdProcessBenchmark.JAR + File.pathSeparator + "target/test-classes",
        PacedFloorClient.class.getName(), patches.toString(), String.valueOf(ScaleBenchmark.MAX_IN_PROGRESS));
    JvmProcess p = JvmProcess.start("floor", args, jvm.environment(floorKubeconfig),
        ColdProcessBenchmark.OUT.resolve("control-plane-floor-" + pair + ".log"));
    int exit = p.waitFor(TIMEOUT.toSeconds());
    String cpuLimit = p.cpuLimit();
    p.close(); // exited: this only removes its cgroup
    String line = Files.readAllLines(p.log()).stream().filter(l -> l.startsWith("floor sent=")).findFirst()
        .orElseThrow(() -> new IllegalStateException("floor exited " + exit + " without its figures; see " + p.log()));
    Map<String, Long> f = Arrays.stream(line.substring("floor ".length()).split(" "))
        .collect(Collectors.toMap(kv -> kv.split("=")[0], kv -> Long.parseLong(kv.split("=")[1])));
    List<AuditLog.Request> requests = ours(audit.since(mark, floorUser()));
    ControlPlaneRun run = ControlPlaneRun.of("floor", pair, requests, n, hardened,
        new ProcFigures(f.get("procCpuMillis") / 1000.0, f.get("peakRssKb")), p.startedMillis(),
        f.get("complete") - p.startedMillis());
    System.out.printf("floor %d: complete in %.1f s (reset took %.0f s), %d requests; %s%n", pair,
        run.convergenceMillis() / 1000.0, reset.toMillis() / 1000.0, run.requestsForWorkloads(), cpuLimit);
    return run;
  }

  /** Whether operator and floor run under the pod's 1 CPU quota here ({@link CpuLimit}). */
  private static String cpuLimit() {
    CpuLimit probe = CpuLimit.oneCpu("rootlock-bench-probe");
    probe.remove();
    return probe.applied() ? "each process under a 1 CPU quota (deploy/'s limit)" : probe.throttling();
  }

  private Duration reset() {
    long started = System.nanoTime();
    workloads.reset();
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /**
   * Requests in the benchmark's namespaces, Rootlock's own (its Lease) or cluster-scoped: not what
   * the operator does for policies a shared cluster has elsewhere.
   */
  private List<AuditLog.Request> ours(List<AuditLog.Request> requests) {
    return requests.stream().filter(r -> r.namespace().isEmpty() || namespaces.contains(r.namespace())
        || r.namespace().equals(Installation.NAMESPACE)).toList();
  }

  /**
   * A ServiceAccount of the floor's own bound to deploy/'s ClusterRole: the same authentication
   * and RBAC path as the operator's, and a user of its own in the audit log.
   */
  private static Path floorAccount(E2ECluster cluster) {
    KubernetesClient admin = cluster.admin();
    admin.resource(new ServiceAccountBuilder().withNewMetadata().withName(FLOOR_ACCOUNT)
        .withNamespace(Installation.NAMESPACE).endMetadata().build()).serverSideApply();
    admin.resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(FLOOR_ACCOUNT).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", Installation.SERVICE_ACCOUNT)
        .addNewSubject().withKind("ServiceAccount").withName(FLOOR_ACCOUNT).withNamespace(Installation.NAMESPACE)
        .endSubject().build()).serverSideApply();
    return Installation.tokenKubeconfig(cluster, FLOOR_ACCOUNT, ColdProcessBenchmark.OUT.resolve("floor.kubeconfig"));
  }

  static String floorUser() {
    return "system:serviceaccount:" + Installation.NAMESPACE + ":" + FLOOR_ACCOUNT;
  }
}
