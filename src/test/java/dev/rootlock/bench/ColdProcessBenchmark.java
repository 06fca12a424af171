package dev.rootlock.bench;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.testing.Cluster;
import dev.rootlock.testing.LocalPorts;
import dev.rootlock.testing.Manifests;
import dev.rootlock.testing.MockApiServer.Exchange;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Rootlock as users run it: the operator jar in a JVM of its own, started cold, with the JVM flags
 * of deploy/operator.yaml, against the mock API server and stand-in controllers in this process
 * (through a generated kubeconfig), N Deployments over 50 namespaces, one policy each, default
 * pacing. Its floor is a plain client, also a cold JVM with the same flags ({@link PacedFloorClient}),
 * sending the same patches to copies of the same Deployments with the same pacing and waiting for
 * the same rollouts. See docs/benchmarks.md.
 *
 * <pre>mvn -q -Pbench -Dbench.mode=cold-process -Dbench.n=1000</pre>
 */
public final class ColdProcessBenchmark {
  static final Path JAR = Path.of("target/rootlock-operator.jar");
  static final Path OUT = Path.of("target/bench");
  static final boolean RETAIN_EVENTS = Boolean.getBoolean("bench.retainEvents");

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int steady = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int samples = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    ColdProcessResult r = run(n, Duration.ofSeconds(steady), samples, OperatorJvm.fromSystemProperties());
    System.out.println(r.report());
    System.exit(0);
  }

  public static ColdProcessResult run(int n, Duration steadyWindow, int reactionSamples, OperatorJvm jvm)
      throws Exception {
    if (!Files.exists(JAR)) {
      throw new IllegalStateException(JAR + " is missing: run mvn package first");
    }
    Files.createDirectories(OUT);
    try (Cluster cluster = new Cluster()) {
      // -Dbench.retainEvents=true keeps the operator's Events in the mock, which then scans them on every request
      cluster.api().retainEvents(RETAIN_EVENTS);
      cluster.api().keepNoRequestJournal(); // counted through exchanges(), not the mock's own journal
      KubernetesClient client = cluster.client();
      FloorPatches floorPatches = new FloorPatches(Manifests.rules(ScaleBenchmark.POLICY));
      int needing = 0;
      for (int i = 0; i < n; i++) {
        // The floor's copies exist from the start, so the server holds as much in both runs.
        client.resource(BenchWorkloads.deployment(i, "floor-" + (i % BenchWorkloads.NAMESPACES), "app-" + i)).create();
        Deployment d = client.resource(BenchWorkloads.deployment(i, BenchWorkloads.namespace(i), "app-" + i)).create();
        needing += floorPatches.patch(d) == null ? 0 : 1;
      }
      cluster.controllers().awaitObserved(2 * n, Duration.ofMinutes(10));
      for (int ns = 0; ns < BenchWorkloads.NAMESPACES; ns++) {
        client.resource(Manifests.parse("""
            apiVersion: rootlock.dev/v1alpha1
            kind: ReadOnlyPolicy
            metadata: {name: web, namespace: team-%d}
            spec: %s
            """.formatted(ns, ScaleBenchmark.POLICY), ReadOnlyPolicy.class)).create();
      }
      Path patchFile = writeFloorPatches(client, floorPatches, n);
      var rollouts = cluster.api().track(dev.rootlock.testing.ClusterControllers.USER_AGENT);
      Path kubeconfig = cluster.writeKubeconfig(OUT.resolve("kubeconfig"), "default");
      int expectedCompliant = n / 20 * 18 + Math.min(n % 20, 18);

      ColdProcessResult.Run operator = runOperator(cluster, kubeconfig, jvm, expectedCompliant, steadyWindow,
          reactionSamples, n, rollouts);
      restore(client);
      var floorRequests = cluster.api().track(PacedFloorClient.USER_AGENT);
      ColdProcessResult.Floor floor = runFloor(cluster, kubeconfig, jvm, patchFile, needing, rollouts, floorRequests);
      dump(rollouts, OUT.resolve("requests-controllers-" + n + ".tsv"));
      dump(cluster.api().exchanges(), OUT.resolve("requests-operator-" + n + ".tsv"));
      dump(floorRequests, OUT.resolve("requests-floor-" + n + ".tsv"));
      return new ColdProcessResult(n, needing, jvm.describe(), operator, floor);
    }
  }

  private static ColdProcessResult.Run runOperator(Cluster cluster, Path kubeconfig, OperatorJvm jvm,
      int expectedCompliant, Duration steadyWindow, int reactionSamples, int n, Collection<Exchange> standIn)
      throws Exception {
    int exchangesBefore = cluster.api().exchanges().size();
    long rolloutsBefore = cluster.controllers().rolloutsCompleted();
    cluster.controllers().takePlainRolloutTimes();
    int port = LocalPorts.free();
    try (PolicyWatch policies = new PolicyWatch(cluster.client(), expectedCompliant)) {
      Map<String, Long> here = JvmFigures.threadCpuByGroup();
      List<String> args = new ArrayList<>(jvm.extraArguments());
      args.addAll(List.of("-jar", JAR.toString(), "run", "--http-port", String.valueOf(port), "--log-format=json"));
      String operatorArgs = System.getProperty("bench.operatorArgs", "").trim(); // e.g. "--reconcile-threads 4"
      if (!operatorArgs.isEmpty()) {
        args.addAll(List.of(operatorArgs.split("\\s+")));
      }
      JvmProcess p = JvmProcess.start("operator", args, jvm.environment(kubeconfig),
          OUT.resolve("operator-" + n + ".log"));
      try {
        long ready = awaitReady(p, port);
        long convergedNanos = policies.await(Duration.ofMinutes(30));
        double cpu = p.cpuSeconds();
        String cpuLimit = p.cpuLimit();
        Map<String, Double> threads = p.cpuByThread();
        Map<String, Double> benchmarkCpu = since(here);
        double[] standInTimes = cluster.controllers().takePlainRolloutTimes();
        Map<String, Double> counters = Jcmd.counters(p.pid());
        Path scrape = OUT.resolve("operator-metrics-" + n + ".txt");
        saveMetrics(port, scrape);
        String roundTrips = RoundTrips.describe(scrape);
        long lastRollout = cluster.controllers().lastCompletionNanos() - p.startedNanos();
        long rollouts = cluster.controllers().rolloutsCompleted() - rolloutsBefore;
        int quietAt = quiet(cluster);
        List<Exchange> during = List.copyOf(cluster.api().exchanges().subList(exchangesBefore, quietAt));
        String slots = SlotReuse.describe(SlotReuse.waits(standIn, during, ScaleBenchmark.MAX_IN_PROGRESS,
            p.startedNanos(), OUT.resolve("slots-operator-" + n + ".tsv")));
        ServerLoad load = ServerLoad.of(during, standIn, p.startedNanos(), convergedNanos, benchmarkCpu, standInTimes,
            slots);
        Thread.sleep(steadyWindow.toMillis());
        long steady = cluster.api().exchanges().size() - quietAt;
        List<Long> reaction = Reaction.latencies(cluster.client(), reactionSamples);
        long heap = Jcmd.heapAfterGc(p.pid());
        return new ColdProcessResult.Run(p.pid(), ready / 1_000_000, (convergedNanos - p.startedNanos()) / 1_000_000,
            (during.get(0).nanos() - p.startedNanos()) / 1_000_000, patchTimes(during, p.startedNanos()),
            lastRollout / 1_000_000, rollouts, load, steady, steadyWindow, Reaction.percentile(reaction, 50),
            Reaction.percentile(reaction, 99), reaction.size(), cpu, cpuLimit, threads, counters, heap, p.log(),
            roundTrips);
      } finally {
        p.close();
      }
    }
  }

  private static ColdProcessResult.Floor runFloor(Cluster cluster, Path kubeconfig, OperatorJvm jvm, Path patches,
      int needing, Collection<Exchange> standIn, Collection<Exchange> exchanges) throws Exception {
    long rolloutsBefore = cluster.controllers().rolloutsCompleted();
    cluster.controllers().takePlainRolloutTimes();
    Map<String, Long> here = JvmFigures.threadCpuByGroup();
    List<String> args = new ArrayList<>(List.of("-cp", JAR + java.io.File.pathSeparator + "target/test-classes",
        PacedFloorClient.class.getName(), patches.toString(), String.valueOf(ScaleBenchmark.MAX_IN_PROGRESS)));
    // the deployed flags only: extra arguments (a profiler, a flag being tried) are the operator's
    JvmProcess p = JvmProcess.start("floor", args, jvm.environment(kubeconfig), OUT.resolve("floor.log"));
    int exit = p.waitFor(1800);
    String cpuLimit = p.cpuLimit();
    p.close(); // exited: this only removes its cgroup
    Map<String, Double> benchmarkCpu = since(here);
    double[] standInTimes = cluster.controllers().takePlainRolloutTimes();
    String line = Files.readAllLines(p.log()).stream().filter(l -> l.startsWith("floor sent=")).findFirst()
        .orElseThrow(() -> new IllegalStateException("floor exited " + exit + " without its figures; see " + p.log()));
    Map<String, Long> f = Arrays.stream(line.substring("floor ".length()).split(" "))
        .collect(Collectors.toMap(kv -> kv.split("=")[0], kv -> Long.parseLong(kv.split("=")[1])));
    long rollouts = cluster.controllers().rolloutsCompleted() - rolloutsBefore;
    if (f.get("sent") != needing || rollouts != needing) {
      throw new IllegalStateException("floor sent " + f.get("sent") + " patches, " + rollouts + " rollouts; expected "
          + needing);
    }
    List<Exchange> during = List.copyOf(exchanges);
    long first = during.isEmpty() ? 0 : during.get(0).nanos() - p.startedNanos();
    long completeNanos = p.startedNanos() + (f.get("complete") - p.startedMillis()) * 1_000_000;
    String slots = SlotReuse.describe(SlotReuse.waits(standIn, during, ScaleBenchmark.MAX_IN_PROGRESS,
        p.startedNanos(), OUT.resolve("slots-floor.tsv")));
    return new ColdProcessResult.Floor(f.get("complete") - p.startedMillis(), first / 1_000_000,
        f.get("firstPatch") - p.startedMillis(), f.get("lastPatch") - p.startedMillis(),
        (cluster.controllers().lastCompletionNanos() - p.startedNanos()) / 1_000_000, f.get("cpuMillis") / 1000.0,
        cpuLimit, ServerLoad.of(during, standIn, p.startedNanos(), completeNanos, benchmarkCpu, standInTimes, slots));
  }

  /**
   * Takes out what the operator's run added (its Events, the reaction test's Deployments), so the
   * floor meets the server as the operator did: the mock server's every request scans all it holds.
   */
  private static void restore(KubernetesClient client) {
    System.out.println(!RETAIN_EVENTS ? "operator's Events: answered, not kept (-Dbench.retainEvents=false)"
        : "operator's Events by regarding kind and reason: " + client
        .resources(io.fabric8.kubernetes.api.model.events.v1.Event.class).inAnyNamespace().list().getItems().stream()
        .collect(Collectors.groupingBy(e -> e.getRegarding().getKind() + " " + e.getReason(), TreeMap::new,
            Collectors.counting())));
    client.resources(io.fabric8.kubernetes.api.model.events.v1.Event.class).inAnyNamespace().delete();
    client.apps().deployments().inAnyNamespace().list().getItems().stream()
        .filter(d -> d.getMetadata().getName().startsWith("late-")).forEach(d -> client.resource(d).delete());
    long left = client.resources(io.fabric8.kubernetes.api.model.events.v1.Event.class).inAnyNamespace().list()
        .getItems().size();
    if (left > 0) {
      throw new IllegalStateException(left + " Events left after deleting them all");
    }
  }

  /** The floor's patches, one line each (namespace, name, patch), by namespace and then name, as the operator goes. */
  private static Path writeFloorPatches(KubernetesClient client, FloorPatches patches, int n) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int ns = 0; ns < BenchWorkloads.NAMESPACES; ns++) {
      client.apps().deployments().inNamespace("floor-" + ns).list().getItems().stream()
          .sorted(Comparator.comparing(d -> d.getMetadata().getName()))
          .forEach(d -> {
            String patch = patches.patch(d);
            if (patch != null) {
              lines.add(d.getMetadata().getNamespace() + "\t" + d.getMetadata().getName() + "\t" + patch);
            }
          });
    }
    return Files.write(OUT.resolve("floor-patches-" + n + ".tsv"), lines);
  }

  /** Nanoseconds from start until /readyz answers 200 (caches synced). */
  private static long awaitReady(JvmProcess p, int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build();
    while (true) {
      if (!p.isAlive()) {
        throw new IllegalStateException("the operator exited; see " + p.log());
      }
      try {
        if (http.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return System.nanoTime() - p.startedNanos();
        }
      } catch (java.io.IOException notListeningYet) {
        // the HTTP server starts after the JVM and the CLI
      }
      Thread.sleep(10);
    }
  }

  /** The operator's /metrics at convergence, kept for reading (reconcile counts, timings). */
  private static void saveMetrics(int port, Path to) throws Exception {
    HttpRequest metrics = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
    HttpClient.newHttpClient().send(metrics, HttpResponse.BodyHandlers.ofFile(to));
  }

  /** Waits until the operator has made no request for a second (Events are written after convergence). */
  private static int quiet(Cluster cluster) throws InterruptedException {
    int seen = -1;
    while (seen != cluster.api().exchanges().size()) {
      seen = cluster.api().exchanges().size();
      Thread.sleep(1000);
    }
    return seen;
  }

  /** First and last Deployment patch, milliseconds after the process started. */
  private static long[] patchTimes(List<Exchange> exchanges, long startedNanos) {
    var patches = exchanges.stream().filter(e -> e.method().equals("PATCH") && e.path().contains("/deployments/"))
        .mapToLong(Exchange::nanos).summaryStatistics();
    return new long[] {(patches.getMin() - startedNanos) / 1_000_000, (patches.getMax() - startedNanos) / 1_000_000};
  }

  /** CPU seconds of this JVM's threads (the mock server, the stand-in controllers) since {@code before}. */
  private static Map<String, Double> since(Map<String, Long> before) {
    Map<String, Double> out = new TreeMap<>();
    JvmFigures.threadCpuByGroup().forEach((group, nanos) -> out.put(group,
        (nanos - before.getOrDefault(group, 0L)) / 1e9));
    return out;
  }

  /** Every request of one client (ms of this JVM's clock, method, path, status, µs the server took), for timelines. */
  private static void dump(java.util.Collection<Exchange> exchanges, Path to) throws java.io.IOException {
    Files.write(to, exchanges.stream().map(e -> e.nanos() / 1_000_000 + "\t" + e.method() + "\t" + e.path() + "\t"
        + e.status() + "\t" + e.handlingNanos() / 1000).toList());
  }

}
