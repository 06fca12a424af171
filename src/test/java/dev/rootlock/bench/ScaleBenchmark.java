package dev.rootlock.bench;

import static dev.rootlock.testing.Fixtures.deployment;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.operator.RootlockOperator;
import dev.rootlock.operator.Settings;
import dev.rootlock.rollout.RolloutRecord;
import dev.rootlock.testing.Cluster;
import dev.rootlock.testing.Manifests;
import dev.rootlock.testing.MockApiServer.Exchange;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Rootlock at scale, in one process: the mock API server, N Deployments across 50 namespaces from
 * a few realistic templates, one policy per namespace, the real operator. Measures convergence,
 * requests by verb, writes, steady state, reaction latency, heap and CPU, and the floor: the same
 * patches sent by a plain client loop with the same concurrency, on the same server, in the same
 * run (to copies of the Deployments in namespaces no policy selects, while the operator still
 * watches them, so the server pays the same watch fan-out as during convergence).
 *
 * <pre>mvn -q -Pbench -Dbench.n=1000            (see docs/benchmarks.md)</pre>
 */
public final class ScaleBenchmark {
  static final int NAMESPACES = 50;
  /** spec.rollout.maxInProgress: the default 5 paces each namespace's 15 rollouts in 3 waves. */
  static final String POLICY = "{selector: {matchLabels: {tier: web}}, rollout: {maxInProgress: "
      + Integer.getInteger("bench.maxInProgress", 5) + "}}";
  /** What kubectl apply leaves on real objects: the biggest thing Rootlock never reads. */
  static final String LAST_APPLIED_FILLER = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{"
      + "\"annotations\":{},\"labels\":{\"tier\":\"web\"}},\"spec\":" + "x".repeat(1500) + "}";

  /** One run's figures. */
  public record Result(int n, int needingChange, Duration startToReady, Duration convergence, Duration quiet,
      Duration firstPatch, Duration lastPatch, Duration floorPatches, Duration floor,
      Map<String, Long> requestsByVerb, long deploymentWrites, long steadyStateRequests, Duration steadyWindow,
      long reactionP50Ms, long reactionP99Ms, int reactionSamples, long peakHeapAfterGcBytes,
      long heapPerCachedDeploymentBytes, double processCpuSeconds) {

    public double ratio() {
      return (double) convergence.toMillis() / Math.max(1, floor.toMillis());
    }

    public String report() {
      long fromReady = convergence.minus(startToReady).toMillis();
      long patching = lastPatch.minus(firstPatch).toMillis();
      return String.format("""
          N=%d (%d needing a change), 50 namespaces, policy %s
            start to ready:        %d ms
            convergence:           %d ms   %s
            from ready:            %d ms   %s
            patching only:         %d ms (first to last patch)   %s
            last request (events): %d ms after start
            deployment patches:    first at %d ms, last at %d ms after start
            requests by verb:      %s
            Deployment writes:     %d
            steady state (%ds):    %d requests
            reaction p50 / p99:    %d ms / %d ms (%d samples)
            peak heap after GC:    %.1f MiB
            heap per Deployment:   %d bytes (heap after GC with an operator synced, minus without, / N)
            process CPU:           %.1f s (operator and mock server together)
          """, n, needingChange, POLICY, startToReady.toMillis(),
          convergence.toMillis(), againstFloor(convergence.toMillis(), floor, true),
          fromReady, againstFloor(fromReady, floor, false),
          patching, againstFloor(patching, floorPatches, true),
          quiet.toMillis(), firstPatch.toMillis(), lastPatch.toMillis(),
          requestsByVerb, deploymentWrites, steadyWindow.toSeconds(), steadyStateRequests, reactionP50Ms, reactionP99Ms,
          reactionSamples, peakHeapAfterGcBytes / 1048576.0, heapPerCachedDeploymentBytes, processCpuSeconds);
    }

    /** "floor: F ms   operator/floor: R", without the floor's own time if asked; -Dbench.floor=false: none. */
    private static String againstFloor(long operatorMillis, Duration floor, boolean showFloor) {
      if (floor.isZero()) {
        return "(floor not run)";
      }
      return (showFloor ? "floor: " + floor.toMillis() + " ms   " : "")
          + String.format("operator/floor: %.2f", (double) operatorMillis / floor.toMillis());
    }
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int steady = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    int samples = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    // The floor runs after the operator, in a JVM whose JIT the operator's run has warmed for the
    // mock server, the client and JSON; measured cold, the operator pays the compilation the floor
    // never does. So a whole first round (own mock server, operator and floor, up to 1,000
    // Deployments) warms the JVM, and its figures are printed as the cold ones.
    int requested = Integer.getInteger("bench.warmup", -1); // -Dbench.warmup=0: no cold round
    int warmup = requested < 0 ? Math.min(n, 1000) : requested;
    if (warmup > 0) {
      Result cold = run(warmup, Duration.ofSeconds(1), Math.min(samples, 10));
      System.out.println("Cold round (first in this JVM, JIT not yet warm):\n" + cold.report());
    }
    Result r = run(n, Duration.ofSeconds(steady), samples);
    System.out.println((warmup > 0 ? "Measured round (JVM warmed by the cold round):\n" : "") + r.report());
    System.exit(0);
  }

  /** The template mix: needs everything, explicit false, already compliant, has /tmp, excluded. */
  static Deployment template(int i, String namespace, String name) {
    String pod = switch (i % 20) {
      case 0, 1, 2, 3, 4, 5 -> "{containers: [{name: nginx, image: nginx:1.27, ports: [{containerPort: 80}]}]}";
      case 6, 7, 8, 9, 10, 11 -> "{containers: [{name: app, image: app:3, securityContext: {readOnlyRootFilesystem: false, "
          + "runAsNonRoot: true}, resources: {limits: {memory: 512Mi}}, env: [{name: JAVA_TOOL_OPTIONS, value: -Xmx256m}]},"
          + " {name: proxy, image: envoy:1.30}]}";
      case 12, 13, 14 -> "{containers: [{name: app, image: app:1, securityContext: {readOnlyRootFilesystem: true}, "
          + "terminationMessagePolicy: FallbackToLogsOnError, "
          + "volumeMounts: [{name: tmp, mountPath: /tmp}]}], volumes: [{name: tmp, emptyDir: {}}]}";
      case 15, 16, 17 -> "{containers: [{name: app, image: app:2, volumeMounts: [{name: scratch, mountPath: /tmp}]}], "
          + "volumes: [{name: scratch, emptyDir: {sizeLimit: 1Gi}}]}";
      default -> "{containers: [{name: app, image: legacy:0.9}]}";
    };
    Deployment d = deployment(name, "{tier: web, app: " + name + "}", pod);
    d.getMetadata().setNamespace(namespace);
    Map<String, String> annotations = new TreeMap<>();
    annotations.put("kubectl.kubernetes.io/last-applied-configuration", LAST_APPLIED_FILLER);
    if (i % 20 >= 18) {
      annotations.put(Annotations.EXCLUDE, "true");
    }
    d.getMetadata().setAnnotations(annotations);
    return d;
  }

  static String namespace(int i) {
    return "team-" + (i % NAMESPACES);
  }

  public static Result run(int n, Duration steadyWindow, int reactionSamples) throws Exception {
    HeapWatch heap = new HeapWatch();
    try (Cluster cluster = new Cluster()) {
      KubernetesClient client = cluster.client();
      PolicyRules rules = Manifests.rules(POLICY);
      Hardener hardener = new Hardener();
      int needing = 0;
      for (int i = 0; i < n; i++) {
        Deployment d = client.resource(template(i, namespace(i), "app-" + i)).create();
        boolean excluded = d.getMetadata().getAnnotations().containsKey(Annotations.EXCLUDE);
        if (!excluded && hardener.harden(d.getSpec().getTemplate(), rules, RevertRecord.EMPTY).changed()) {
          needing++;
        }
      }
      // The stand-in Deployment controller reports each new Deployment rolled out; let it finish.
      cluster.controllers().awaitObserved(n, Duration.ofMinutes(10));
      // Cache cost first, with no policy yet: heap after GC before an operator starts, and once it
      // has synced its informers (every Deployment cached); that operator is then stopped.
      long heapBefore = heap.usedAfterGc();
      cluster.startOperator(Settings.defaults());
      long heapCached = heap.usedAfterGc();
      cluster.stopOperator();
      long perCachedDeployment = Math.max(0, (heapCached - heapBefore) / Math.max(1, n));
      for (int ns = 0; ns < NAMESPACES; ns++) {
        ReadOnlyPolicy p = Manifests.parse("""
            apiVersion: rootlock.dev/v1alpha1
            kind: ReadOnlyPolicy
            metadata: {name: web, namespace: team-%d}
            spec: %s
            """.formatted(ns, POLICY), ReadOnlyPolicy.class);
        client.resource(p).create();
      }
      double cpuBefore = cpuSeconds();
      int exchangesBefore = cluster.api().exchanges().size();

      Map<String, Long> threadCpuBefore = threadCpuByGroup();
      long t0 = System.nanoTime();
      RootlockOperator rootlock = cluster.startOperator(Settings.defaults().withResync(Duration.ofMinutes(10)));
      Duration startToReady = Duration.ofNanos(System.nanoTime() - t0);
      final int expectedCompliant = n / 20 * 18 + Math.min(n % 20, 18); // all but the excluded
      while (!converged(client, expectedCompliant)) {
        heap.sample();
        Thread.sleep(50);
      }
      Duration convergence = Duration.ofNanos(System.nanoTime() - t0);
      System.out.println("  converged after " + convergence.toMillis() + " ms; waiting for the Event writer to finish");
      if (Boolean.getBoolean("bench.threads")) {
        Map<String, Long> after = threadCpuByGroup();
        after.forEach((group, nanos) -> System.out.printf("  CPU during convergence, %s: %.2f s%n", group,
            (nanos - threadCpuBefore.getOrDefault(group, 0L)) / 1e9));
      }

      // Events are written in the background after the statuses: wait until the operator is quiet
      // (no request for a second), then watch the steady state.
      int seen = -1;
      while (seen != cluster.api().exchanges().size()) {
        seen = cluster.api().exchanges().size();
        Thread.sleep(1000);
      }
      Duration quiet = Duration.ofNanos(System.nanoTime() - t0).minusSeconds(1);
      if (Boolean.getBoolean("bench.timeline")) {
        Map<Long, Map<String, Long>> timeline = new TreeMap<>();
        for (Exchange e : cluster.api().exchanges().subList(exchangesBefore, seen)) {
          timeline.computeIfAbsent((e.nanos() - t0) / 1_000_000_000L, k -> new TreeMap<>()).merge(verb(e), 1L, Long::sum);
        }
        for (long nanos : cluster.controllers().completionTimes()) {
          if (nanos >= t0) {
            timeline.computeIfAbsent((nanos - t0) / 1_000_000_000L, k -> new TreeMap<>())
                .merge("(controller: rollout complete)", 1L, Long::sum);
          }
        }
        timeline.forEach((sec, verbs) -> System.out.println("  t=" + sec + "s " + verbs));
        System.out.println("  controller reported the last rollout complete at "
            + (cluster.controllers().lastCompletionNanos() - t0) / 1_000_000 + " ms");
      }
      List<Exchange> convergenceExchanges = List.copyOf(cluster.api().exchanges().subList(exchangesBefore, seen));
      // Steady state: nothing changes, nothing should be written.
      int steadyFrom = cluster.api().exchanges().size();
      Thread.sleep(steadyWindow.toMillis());
      long steadyRequests = cluster.api().exchanges().size() - steadyFrom;

      // Reaction: a new matching Deployment, created -> hardened.
      List<Long> latencies = new ArrayList<>();
      Random random = new Random(7);
      for (int s = 0; s < reactionSamples; s++) {
        String ns = namespace(random.nextInt(NAMESPACES));
        long start = System.nanoTime();
        client.resource(template(0, ns, "late-" + s)).create();
        while (!hardened(client.apps().deployments().inNamespace(ns).withName("late-" + s).get())) {
          Thread.sleep(2);
        }
        latencies.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      }
      Collections.sort(latencies);
      heap.sample();
      double cpu = cpuSeconds() - cpuBefore;

      // The floor runs on the same server in the same state: the operator still watching every
      // namespace, so each patch costs the server the same watch fan-out as during convergence.
      // existing: the operator's N Deployments and the reaction test's. -Dbench.floor=false skips
      // it (the floor doubles what the mock server holds, which -Xmx512m does not fit at 10,000).
      Duration[] floor = Boolean.parseBoolean(System.getProperty("bench.floor", "true"))
          ? floor(cluster, rules, n, n + latencies.size()) : new Duration[] {Duration.ZERO, Duration.ZERO};
      rootlock.stop();
      Map<String, Long> byVerb = convergenceExchanges.stream()
          .collect(Collectors.groupingBy(ScaleBenchmark::verb, TreeMap::new, Collectors.counting()));
      long writes = convergenceExchanges.stream()
          .filter(e -> e.method().equals("PATCH") && e.path().contains("/deployments/") && e.status() < 300).count();
      long firstPatchNanos = convergenceExchanges.stream().filter(e -> e.path().contains("/deployments/")
          && e.method().equals("PATCH")).mapToLong(Exchange::nanos).min().orElse(t0);
      long lastPatchNanos = convergenceExchanges.stream().filter(e -> e.path().contains("/deployments/")
          && e.method().equals("PATCH")).mapToLong(Exchange::nanos).max().orElse(t0);
      return new Result(n, needing, startToReady, convergence, quiet, Duration.ofNanos(firstPatchNanos - t0),
          Duration.ofNanos(lastPatchNanos - t0), floor[0], floor[1], byVerb, writes, steadyRequests, steadyWindow,
          percentile(latencies, 50), percentile(latencies, 99), latencies.size(), heap.peak(),
          perCachedDeployment, cpu);
    }
  }

  /**
   * The floor: the same patches the operator had to send (computed by the same engine, pinned the
   * same way), for a copy of the same Deployments in other namespaces, by a plain loop with the
   * same concurrency as the operator (one worker per namespace, in order within it), unpaced.
   * Returns the time to send them, and the time until the (stand-in) Deployment controller has
   * reported each rollout they started complete: the operator's convergence includes that too.
   *
   * @param existing how many Deployments the server holds already
   */
  static Duration[] floor(Cluster cluster, PolicyRules rules, int n, int existing) throws Exception {
    KubernetesClient client = cluster.client();
    Hardener hardener = new Hardener();
    for (int i = 0; i < n; i++) {
      client.resource(template(i, "floor-" + (i % NAMESPACES), "app-" + i)).create();
    }
    cluster.controllers().awaitObserved(existing + n, Duration.ofMinutes(10));
    Map<String, List<Deployment>> byNamespace = new TreeMap<>();
    for (int ns = 0; ns < NAMESPACES; ns++) {
      for (Deployment d : client.apps().deployments().inNamespace("floor-" + ns).list().getItems()) {
        if (!d.getMetadata().getAnnotations().containsKey(Annotations.EXCLUDE)) {
          byNamespace.computeIfAbsent(d.getMetadata().getNamespace(), k -> new ArrayList<>()).add(d);
        }
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(NAMESPACES);
    AtomicLong sent = new AtomicLong();
    long rolledOutBefore = cluster.controllers().rolloutsCompleted();
    long t0 = System.nanoTime();
    List<Future<?>> work = new ArrayList<>();
    for (List<Deployment> ds : byNamespace.values()) {
      work.add(pool.submit(() -> {
        for (Deployment d : ds) {
          var h = hardener.harden(d.getSpec().getTemplate(), rules, RevertRecord.EMPTY);
          if (!h.changed()) {
            continue;
          }
          Deployment desired = new DeploymentBuilder(d).build();
          desired.getSpec().setTemplate(h.template());
          desired.getMetadata().getAnnotations().put(Annotations.OWNER, "web");
          desired.getMetadata().getAnnotations().put(Annotations.REVERT, h.record().toJson());
          desired.getMetadata().getAnnotations().put(Annotations.ROLLOUT, RolloutRecord.EMPTY
              .started(d.getMetadata().getGeneration() + 1, java.time.Instant.now(), 0, List.of()).toJson());
          var ops = JsonPatches.diff(d, desired);
          var patch = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
          patch.addObject().put("op", "replace").put("path", "/metadata/resourceVersion")
              .put("value", d.getMetadata().getResourceVersion());
          patch.addAll(ops);
          client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(d)
              .patch(PatchContext.of(PatchType.JSON), patch.toString());
          sent.incrementAndGet();
        }
        return null;
      }));
    }
    for (Future<?> f : work) {
      f.get();
    }
    Duration patches = Duration.ofNanos(System.nanoTime() - t0);
    // Like the operator's convergence, the floor ends when the controller reports every rollout done.
    while (cluster.controllers().rolloutsCompleted() < rolledOutBefore + sent.get()) {
      Thread.sleep(5);
    }
    Duration rolledOut = Duration.ofNanos(System.nanoTime() - t0);
    pool.shutdown();
    return new Duration[] {patches, rolledOut};
  }

  private static boolean converged(KubernetesClient client, int expectedCompliant) {
    int compliant = 0;
    for (ReadOnlyPolicy p : client.resources(ReadOnlyPolicy.class).inAnyNamespace().list().getItems()) {
      if (p.getStatus() == null || p.getStatus().getCompliant() == null) {
        return false;
      }
      compliant += p.getStatus().getCompliant();
    }
    return compliant == expectedCompliant;
  }

  private static boolean hardened(Deployment d) {
    return d != null && d.getSpec().getTemplate().getSpec().getContainers().stream()
        .allMatch(c -> c.getSecurityContext() != null && Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem()));
  }

  static String verb(Exchange e) {
    if (e.path().contains("/customresourcedefinitions/")) {
      return "get report crd"; // --reports auto asks whether a report API is installed
    }
    return switch (e.method()) {
      case "GET" -> e.path().contains("watch=true") ? "watch" : e.path().matches(".*/[^/?]+/[^/?]+(\\?.*)?$")
          && !e.path().matches(".*/namespaces/[^/]+/[a-z]+(\\?.*)?$") && !e.path().matches("^/apis?/[^?]*/v1[a-z0-9]*/[a-z]+(\\?.*)?$")
          ? "get" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> e.path().contains("/status") ? "patch status" : e.path().contains("/deployments/")
          ? "patch deployment" : "patch policy";
      default -> e.method().toLowerCase();
    };
  }

  private static long percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return -1;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  /**
   * CPU time of live threads by what they do (-Dbench.threads=true): the mock server's event loop,
   * the operator's reconcilers, HTTP clients, informers, the stand-in controller. Threads that
   * ended are not counted (the JDK HTTP client starts one per response on a 2-core machine).
   */
  static Map<String, Long> threadCpuByGroup() {
    var threads = ManagementFactory.getThreadMXBean();
    Map<String, Long> byGroup = new TreeMap<>();
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long nanos = threads.getThreadCpuTime(info.getThreadId());
      String name = info.getThreadName();
      String group = name.startsWith("vert.x-eventloop") ? "mock server"
          : name.startsWith("ReconcilerExecutor") || name.matches("pool-\\d+-thread-\\d+") ? "reconcilers (and floor pool)"
          : name.startsWith("test-") ? "stand-in controller"
          : name.contains("HttpClient") ? "HTTP clients"
          : name.startsWith("Informer") || name.contains("informer") ? "informers"
          : name.startsWith("rootlock-events") ? "event writer"
          : name.equals("main") ? "main" : "other";
      if (nanos > 0) {
        byGroup.merge(group, nanos, Long::sum);
      }
    }
    return byGroup;
  }

  private static double cpuSeconds() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1e9 : -1;
  }

  /** Heap used right after garbage collections: forced ones for the differences, sampled for the peak. */
  static final class HeapWatch {
    private long peak;

    long usedAfterGc() {
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      peak = Math.max(peak, used);
      return used;
    }

    void sample() {
      long afterLastGc = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
          afterLastGc += pool.getCollectionUsage().getUsed();
        }
      }
      peak = Math.max(peak, afterLastGc);
    }

    long peak() {
      return peak;
    }
  }
}
