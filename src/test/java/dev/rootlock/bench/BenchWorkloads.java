package dev.rootlock.bench;

import dev.rootlock.api.Annotations;
import dev.rootlock.testing.TestKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import java.util.TreeMap;

/**
 * The workloads the benchmarks create: workload {@code i} lives in namespace {@code team-(i % 50)};
 * its pod template is one of a realistic mix (of every 20: 6 nginx needing everything, 6 Java
 * services with an explicit readOnlyRootFilesystem: false and a sidecar, 3 already compliant, 3
 * with their own /tmp volume, 2 excluded), and every one carries a 1.5 kB
 * last-applied-configuration annotation as kubectl apply leaves. In a mixed run its kind is one of
 * 60 % Deployments, 20 % StatefulSets, 15 % DaemonSets and 5 % CronJobs, spread over the
 * namespaces and over the template mix alike.
 */
final class BenchWorkloads {
  static final int NAMESPACES = 50;
  /** What kubectl apply leaves on real objects: the biggest thing Rootlock never reads. */
  static final String LAST_APPLIED_FILLER = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{"
      + "\"annotations\":{},\"labels\":{\"tier\":\"web\"}},\"spec\":" + "x".repeat(1500) + "}";
  /** Of every 20: 12 Deployments, 4 StatefulSets, 3 DaemonSets, 1 CronJob. */
  private static final TestKind[] MIX = new TestKind[20];

  static {
    for (int k = 0; k < 20; k++) {
      MIX[k] = k < 12 ? TestKind.DEPLOYMENT : k < 16 ? TestKind.STATEFUL_SET : k < 19 ? TestKind.DAEMON_SET
          : TestKind.CRON_JOB;
    }
  }

  private BenchWorkloads() {}

  static String namespace(int i) {
    return "team-" + (i % NAMESPACES);
  }

  /** The kind of workload {@code i} in a mixed run (the template mix goes by i % 20, the kinds by i / 20). */
  static TestKind mixedKind(int i) {
    return MIX[(i / 20) % 20];
  }

  static boolean isExcluded(int i) {
    return i % 20 >= 18;
  }

  static Deployment deployment(int i, String namespace, String name) {
    return (Deployment) workload(TestKind.DEPLOYMENT, i, namespace, name);
  }

  /** Workload {@code i} of {@code kind}: the template mix by i % 20. */
  static HasMetadata workload(TestKind kind, int i, String namespace, String name) {
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
    HasMetadata o = kind.build(name, "{tier: web, app: " + name + "}", pod);
    o.getMetadata().setNamespace(namespace);
    Map<String, String> annotations = new TreeMap<>();
    annotations.put("kubectl.kubernetes.io/last-applied-configuration", LAST_APPLIED_FILLER);
    if (isExcluded(i)) {
      annotations.put(Annotations.EXCLUDE, "true");
    }
    o.getMetadata().setAnnotations(annotations);
    return o;
  }

  /** Workloads a policy selects and that end Compliant: all but the excluded. */
  static int expectedCompliant(int n) {
    return n / 20 * 18 + Math.min(n % 20, 18);
  }
}
