package dev.rootlock.bench;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.operator.RootlockOperator;
import dev.rootlock.operator.Settings;
import dev.rootlock.testing.Cluster;
import dev.rootlock.testing.Manifests;
import dev.rootlock.testing.MockApiServer.Exchange;
import dev.rootlock.testing.TestKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Rootlock at scale, in one process: the mock API server, N workloads across 50 namespaces
 * ({@link BenchWorkloads}: Deployments, or with -Dbench.mixed=true every kind), one policy per
 * namespace, the real operator. Measures convergence, requests by verb, writes, steady state,
 * reaction latency, heap and CPU, and the floor ({@link InProcessFloor}). -Dbench.mode=cold-process
 * runs {@link ColdProcessBenchmark} instead, -Dbench.mode=webhook {@link WebhookBenchmark},
 * -Dbench.mode=control-plane {@link ControlPlaneBenchmark} (a real control plane).
 *
 * <pre>mvn -q -Pbench -Dbench.n=1000            (see docs/benchmarks.md)</pre>
 */
public final class ScaleBenchmark {
  static final int NAMESPACES = BenchWorkloads.NAMESPACES;
  /** spec.rollout.maxInProgress: the default 5 paces each namespace's hardenings in waves. */
  static final int MAX_IN_PROGRESS = Integer.getInteger("bench.maxInProgress", 5);
  static final String POLICY = "{selector: {matchLabels: {tier: web}}, rollout: {maxInProgress: "
      + MAX_IN_PROGRESS + "}}";
  /** Jobs a CronJob keeps (successfulJobsHistoryLimit's default), created for the mixed run. */
  static final int JOBS_PER_CRON_JOB = 3;

  private ScaleBenchmark() {}

  public static void main(String[] args) throws Exception {
    if ("cold-process".equals(System.getProperty("bench.mode"))) {
      ColdProcessBenchmark.main(args);
      return;
    }
    if ("control-plane".equals(System.getProperty("bench.mode"))) {
      ControlPlaneBenchmark.main(args);
      return;
    }
    if ("webhook".equals(System.getProperty("bench.mode"))) {
      WebhookBenchmark.main(new String[] {System.getProperty("bench.reviews", "10000"),
          System.getProperty("bench.callers", "50"), System.getProperty("bench.rate", "0")});
      return;
    }
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int steady = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    int samples = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    boolean mixed = Boolean.getBoolean("bench.mixed");
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    // The floor runs after the operator, in a JVM whose JIT the operator's run has warmed for the
    // mock server, the client and JSON; measured cold, the operator pays the compilation the floor
    // never does. So a whole first round (own mock server, operator and floor, up to 1,000
    // workloads) warms the JVM, and its figures are printed as the cold ones.
    int requested = Integer.getInteger("bench.warmup", -1); // -Dbench.warmup=0: no cold round
    int warmup = requested < 0 ? Math.min(n, 1000) : requested;
    if (warmup > 0) {
      ScaleResult cold = run(warmup, Duration.ofSeconds(1), Math.min(samples, 10), mixed);
      System.out.println("Cold round (first in this JVM, JIT not yet warm):\n" + cold.report());
    }
    ScaleResult r = run(n, Duration.ofSeconds(steady), samples, mixed);
    System.out.println((warmup > 0 ? "Measured round (JVM warmed by the cold round):\n" : "") + r.report());
    System.exit(0);
  }

  public static ScaleResult run(int n, Duration steadyWindow, int reactionSamples) throws Exception {
    return run(n, steadyWindow, reactionSamples, false);
  }

  /** @param mixed every kind (60/20/15/5 %), with Jobs for the CronJobs; else Deployments only */
  public static ScaleResult run(int n, Duration steadyWindow, int reactionSamples, boolean mixed) throws Exception {
    JvmFigures.HeapWatch heap = new JvmFigures.HeapWatch();
    try (Cluster cluster = new Cluster()) {
      // -Dbench.retainEvents=true keeps the operator's Events in the mock, which then scans them on every request
      cluster.api().retainEvents(ColdProcessBenchmark.RETAIN_EVENTS);
      cluster.api().keepNoRequestJournal(); // counted through exchanges(), not the mock's own journal
      KubernetesClient client = cluster.client();
      PolicyRules rules = Manifests.rules(POLICY);
      int needing = create(client, rules, n, mixed);
      // The stand-in controllers report each new workload rolled out; let them finish.
      cluster.controllers().awaitObserved(n, Duration.ofMinutes(10));
      // Cache cost first, with no policy yet: heap after GC before an operator starts, and once it
      // has synced its informers (every workload cached); that operator is then stopped.
      long cachedWorkloads = cachedBytes(cluster, heap);
      int jobs = 0;
      long perJob = -1;
      if (mixed) {
        // The Jobs the CronJobs' controller keeps: cached by the operator's Jobs informer too.
        jobs = createJobs(client);
        perJob = jobs == 0 ? -1 : Math.max(0, (cachedBytes(cluster, heap) - cachedWorkloads) / jobs);
      }
      for (int ns = 0; ns < NAMESPACES; ns++) {
        client.resource(Manifests.parse("""
            apiVersion: rootlock.dev/v1alpha1
            kind: ReadOnlyPolicy
            metadata: {name: web, namespace: team-%d}
            spec: %s
            """.formatted(ns, POLICY), ReadOnlyPolicy.class)).create();
      }
      double cpuBefore = JvmFigures.processCpuSeconds();
      int exchangesBefore = cluster.api().exchanges().size();
      Map<String, Long> threadCpuBefore = JvmFigures.threadCpuByGroup();
      RootlockOperator rootlock;
      long t0;
      Duration convergence;
      Duration startToReady;
      try (PolicyWatch policies = new PolicyWatch(client, BenchWorkloads.expectedCompliant(n))) {
        t0 = System.nanoTime();
        rootlock = cluster.startOperator(settings().withResync(Duration.ofMinutes(10)));
        startToReady = Duration.ofNanos(System.nanoTime() - t0);
        long converged;
        while ((converged = policies.convergedNanos()) == 0) {
          heap.sample();
          Thread.sleep(50);
        }
        convergence = Duration.ofNanos(converged - t0);
      }
      System.out.println("  converged after " + convergence.toMillis() + " ms; waiting for the Event writer to finish");
      if (Boolean.getBoolean("bench.threads")) {
        JvmFigures.threadCpuByGroup().forEach((group, nanos) -> System.out.printf(
            "  CPU during convergence, %s: %.2f s%n", group, (nanos - threadCpuBefore.getOrDefault(group, 0L)) / 1e9));
      }
      // Events are written in the background after the statuses: wait until the operator is quiet
      // (no request for a second), then watch the steady state.
      int seen = -1;
      while (seen != cluster.api().exchanges().size()) {
        seen = cluster.api().exchanges().size();
        Thread.sleep(1000);
      }
      Duration quiet = Duration.ofNanos(System.nanoTime() - t0).minusSeconds(1);
      List<Exchange> during = List.copyOf(cluster.api().exchanges().subList(exchangesBefore, seen));
      if (Boolean.getBoolean("bench.timeline")) {
        printTimeline(cluster, during, t0);
      }
      // Steady state: nothing changes, nothing should be written.
      int steadyFrom = cluster.api().exchanges().size();
      Thread.sleep(steadyWindow.toMillis());
      long steadyRequests = cluster.api().exchanges().size() - steadyFrom;

      List<Long> latencies = Reaction.latencies(client, reactionSamples);
      heap.sample();
      double cpu = JvmFigures.processCpuSeconds() - cpuBefore;
      // The floor runs on the same server in the same state: the operator still watching every
      // namespace, so each patch costs the server the same watch fan-out as during convergence.
      // -Dbench.floor=false skips it (it doubles what the mock server holds, which -Xmx512m does
      // not fit at 10,000); a mixed run has none (the floor patches Deployments).
      Duration[] floor = !mixed && Boolean.parseBoolean(System.getProperty("bench.floor", "true"))
          ? InProcessFloor.run(cluster, rules, n, n + latencies.size()) : new Duration[] {Duration.ZERO, Duration.ZERO};
      rootlock.stop();
      Map<String, Long> byVerb = during.stream()
          .collect(Collectors.groupingBy(RequestVerbs::verb, TreeMap::new, Collectors.counting()));
      var patchTimes = during.stream().filter(e -> e.method().equals("PATCH") && RequestVerbs.workload(e.path()) != null)
          .mapToLong(Exchange::nanos).summaryStatistics();
      return new ScaleResult(n, mixed ? "workloads (60 % Deployments, 20 % StatefulSets, 15 % DaemonSets, 5 % CronJobs)"
          : "Deployments", needing, startToReady, convergence, quiet,
          Duration.ofNanos(patchTimes.getCount() == 0 ? 0 : patchTimes.getMin() - t0),
          Duration.ofNanos(patchTimes.getCount() == 0 ? 0 : patchTimes.getMax() - t0), floor[0], floor[1], byVerb,
          RequestVerbs.workloadWrites(during), steadyRequests, steadyWindow, Reaction.percentile(latencies, 50),
          Reaction.percentile(latencies, 99), latencies.size(), heap.peak(), Math.max(0, cachedWorkloads / n), jobs,
          perJob, cpu);
    }
  }

  /** Creates the workloads; returns how many need a change (the engine's answer, as the operator's). */
  private static int create(KubernetesClient client, PolicyRules rules, int n, boolean mixed) {
    Hardener hardener = new Hardener();
    int needing = 0;
    for (int i = 0; i < n; i++) {
      TestKind kind = mixed ? BenchWorkloads.mixedKind(i) : TestKind.DEPLOYMENT;
      HasMetadata o = client.resource(BenchWorkloads.workload(kind, i, BenchWorkloads.namespace(i), "app-" + i))
          .create();
      if (!BenchWorkloads.isExcluded(i)
          && hardener.harden(kind.model().template(o), rules, RevertRecord.EMPTY).changed()) {
        needing++;
      }
    }
    return needing;
  }

  /** The operator's settings, its caches trimmed unless -Drootlock.cache.trim=false (-Dbench.trim=false). */
  private static Settings settings() {
    return Settings.defaults().withCacheTrim(Boolean.parseBoolean(System.getProperty("rootlock.cache.trim", "true")));
  }

  /** Heap the operator's caches take: after GC with an operator synced (no policy yet), minus before it. */
  private static long cachedBytes(Cluster cluster, JvmFigures.HeapWatch heap) {
    long before = heap.usedAfterGc();
    cluster.startOperator(settings());
    long cached = heap.usedAfterGc();
    cluster.stopOperator();
    return cached - before;
  }

  /** {@link #JOBS_PER_CRON_JOB} finished Jobs per CronJob, owned by it, with its template, as its controller keeps them. */
  private static int createJobs(KubernetesClient client) {
    int jobs = 0;
    for (CronJob c : client.batch().v1().cronjobs().inAnyNamespace().list().getItems()) {
      for (int k = 0; k < JOBS_PER_CRON_JOB; k++) {
        String name = c.getMetadata().getName() + "-" + (29000000 + k);
        var job = client.resource(new JobBuilder()
            .withNewMetadata().withName(name).withNamespace(c.getMetadata().getNamespace())
            .addToLabels("job-name", name).addToLabels("controller-uid", "uid-" + name)
            .addNewOwnerReference().withApiVersion("batch/v1").withKind("CronJob").withName(c.getMetadata().getName())
            .withUid(c.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).endOwnerReference()
            .endMetadata()
            .withNewSpec().withNewSelector().addToMatchLabels("controller-uid", "uid-" + name).endSelector()
            .withTemplate(c.getSpec().getJobTemplate().getSpec().getTemplate()).endSpec()
            .build()).create();
        client.batch().v1().jobs().resource(job).editStatus(j -> new JobBuilder(j).withNewStatus().withSucceeded(1)
            .withStartTime(Instant.now().toString()).withCompletionTime(Instant.now().toString())
            .addNewCondition().withType("Complete").withStatus("True").endCondition().endStatus().build());
        jobs++;
      }
    }
    return jobs;
  }

  private static void printTimeline(Cluster cluster, List<Exchange> during, long t0) {
    Map<Long, Map<String, Long>> timeline = new TreeMap<>();
    for (Exchange e : during) {
      timeline.computeIfAbsent((e.nanos() - t0) / 1_000_000_000L, k -> new TreeMap<>())
          .merge(RequestVerbs.verb(e), 1L, Long::sum);
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
}
