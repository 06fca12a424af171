package dev.rootlock.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.operator.RootlockOperator;
import dev.rootlock.operator.Settings;
import dev.rootlock.plan.ManifestReader;
import dev.rootlock.plan.SourceDocument;
import dev.rootlock.testing.Manifests;
import dev.rootlock.testing.ClusterControllers;
import dev.rootlock.testing.MockApiServer;
import dev.rootlock.workload.Workload;
import dev.rootlock.workload.WorkloadKinds;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Rootlock with no cluster: an in-memory Kubernetes API (fabric8's mock server), the CRD, the
 * examples in deploy/examples/ (Deployments, a StatefulSet, a DaemonSet), and the real operator.
 * Prints each workload before and after, then the policies as {@code kubectl get rop -o wide}
 * would, and exits. Test-scoped on purpose: the mock server never ships in the production jar. Run
 * it with {@code mvn -q -Pdemo}.
 */
public final class Demo {
  static final Path EXAMPLES = Path.of("deploy/examples");
  static final Path CRD = Path.of("crds/readonlypolicies.rootlock.dev-v1.yml");

  /** The mock server logs every request through java.util.logging; held so the level sticks. */
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private Demo() {}

  public static void main(String[] args) throws Exception {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    int code = run(System.out);
    System.exit(code);
  }

  /** Runs the demo; 0 when every policy settled as expected. */
  public static int run(PrintStream out) throws Exception {
    // The mock has no controllers: ClusterControllers plays them, so rollouts complete.
    try (MockApiServer api = new MockApiServer(); ClusterControllers controllers = new ClusterControllers(api)) {
      KubernetesClient client = api.client();
      client.resource(Manifests.parse(Files.readString(CRD), CustomResourceDefinition.class)).create();
      List<Workload> workloads = new ArrayList<>();
      List<ReadOnlyPolicy> policies = new ArrayList<>();
      try (Stream<Path> files = Files.list(EXAMPLES)) {
        for (Path f : files.sorted().toList()) {
          for (SourceDocument doc : ManifestReader.split(f.toString(), Files.readString(f))) {
            JsonNode n = doc.node();
            if (n == null) {
              continue;
            }
            if ("ReadOnlyPolicy".equals(n.path("kind").asText())) {
              policies.add(Manifests.SERIALIZATION.convertValue(n, ReadOnlyPolicy.class));
            } else {
              var kind = WorkloadKinds.of(n.path("apiVersion").asText(), n.path("kind").asText());
              if (kind.isPresent()) {
                HasMetadata o = Manifests.SERIALIZATION.convertValue(n, kind.get().type());
                workloads.add(new Workload(kind.get(), client.resource(o).create()));
              }
            }
          }
        }
      }
      out.println("== Rootlock demo: an in-memory Kubernetes API, the examples in " + EXAMPLES + ", the real operator");
      Map<String, String> before = new LinkedHashMap<>();
      workloads.forEach(w -> before.put(w.key(), describe(w)));

      try (RootlockOperator rootlock = RootlockOperator.create(client.getConfiguration(), Settings.defaults())) {
        rootlock.start();
        policies.forEach(p -> client.resource(p).create());
        boolean settled = awaitSettled(client, policies, Duration.ofSeconds(30));

        for (Workload w : workloads) {
          Workload now = w.with(client.resources(w.kind().type()).inNamespace(w.namespace()).withName(w.name()).get());
          out.println();
          out.println("-- " + w.describe());
          out.println("   before: " + before.get(w.key()).replace("\n", "\n           "));
          out.println("   after:  " + describe(now).replace("\n", "\n           "));
        }
        out.println();
        out.println("$ kubectl get rop -n shop -o wide");
        out.print(table(client, policies));
        for (ReadOnlyPolicy p : policies) {
          ReadOnlyPolicy now = client.resource(p).get();
          out.println();
          out.println("policy " + p.getMetadata().getName() + ":");
          now.getStatus().getWorkloads().forEach(w ->
              out.println("  " + w.getKind() + " " + w.getName() + ": " + w.getState() + " - " + w.getMessage()));
        }
        if (!settled) {
          out.println("\nthe policies did not settle within 30 s");
          return 1;
        }
        return 0;
      }
    }
  }

  private static boolean awaitSettled(KubernetesClient client, List<ReadOnlyPolicy> policies, Duration timeout)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      boolean all = policies.stream().map(p -> client.resource(p).get())
          .allMatch(p -> p != null && p.getStatus() != null && p.getStatus().getMatched() != null
              && p.getStatus().getCompliant() + excluded(p) == p.getStatus().getMatched());
      if (all) {
        return true;
      }
      Thread.sleep(200);
    }
    return false;
  }

  private static long excluded(ReadOnlyPolicy p) {
    return p.getStatus().getWorkloads().stream().filter(w -> w.getState().name().equals("Excluded")).count();
  }

  /** Per container: readOnlyRootFilesystem and mounts; the pod's volumes. */
  static String describe(Workload w) {
    var spec = w.template().getSpec();
    StringBuilder s = new StringBuilder();
    for (Container c : spec.getContainers()) {
      String sc = c.getSecurityContext() == null ? "<none>"
          : Manifests.SERIALIZATION.asJson(c.getSecurityContext());
      s.append("container ").append(c.getName()).append(": securityContext ").append(sc);
      c.getVolumeMounts().forEach(m -> s.append("\n  mount ").append(m.getMountPath()).append(" <- ").append(m.getName()));
      s.append('\n');
    }
    List<Volume> volumes = spec.getVolumes();
    s.append("volumes: ").append(volumes.isEmpty() ? "-" : "");
    for (Volume v : volumes) {
      s.append("\n  ").append(v.getName()).append(": ");
      if (v.getEmptyDir() != null) {
        s.append("emptyDir").append(v.getEmptyDir().getMedium() == null ? "" : " " + v.getEmptyDir().getMedium())
            .append(v.getEmptyDir().getSizeLimit() == null ? "" : " " + v.getEmptyDir().getSizeLimit());
      } else if (v.getConfigMap() != null) {
        s.append("configMap ").append(v.getConfigMap().getName());
      } else if (v.getHostPath() != null) {
        s.append("hostPath ").append(v.getHostPath().getPath());
      } else {
        s.append("other");
      }
    }
    return s.toString();
  }

  static String table(KubernetesClient client, List<ReadOnlyPolicy> policies) {
    List<String[]> rows = new ArrayList<>();
    // the CRD's printer columns, in the order kubectl shows them with -o wide
    rows.add(new String[] {"NAME", "MODE", "MATCHED", "COMPLIANT", "READY", "REASON", "AGE"});
    for (ReadOnlyPolicy p : policies) {
      ReadOnlyPolicy now = client.resource(p).get();
      Condition ready = now.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
      long age = Duration.between(Instant.parse(now.getMetadata().getCreationTimestamp()), Instant.now()).toSeconds();
      rows.add(new String[] {now.getMetadata().getName(),
          now.getSpec().getMode() == null ? "Enforce" : now.getSpec().getMode().name(),
          String.valueOf(now.getStatus().getMatched()), String.valueOf(now.getStatus().getCompliant()),
          ready.getStatus(), ready.getReason(), age + "s"});
    }
    int[] w = new int[7];
    rows.forEach(r -> {
      for (int i = 0; i < r.length; i++) {
        w[i] = Math.max(w[i], r[i].length());
      }
    });
    StringBuilder s = new StringBuilder();
    rows.forEach(r -> {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        line.append(String.format("%-" + (w[i] + 3) + "s", r[i]));
      }
      s.append(line.toString().stripTrailing()).append('\n');
    });
    return s.toString();
  }
}
