package dev.rootlock.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.admission.WebhookCertificates;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.operator.RootlockOperator;
import dev.rootlock.operator.Settings;
import dev.rootlock.testing.Cluster;
import dev.rootlock.testing.Fixtures;
import dev.rootlock.testing.WebhookTls;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The admission webhook under load: N AdmissionReviews (CREATE of Deployments over 50
 * namespaces with one policy each, three templates: needs hardening, already hardened, excluded)
 * sent over HTTPS by C concurrent callers, after a warm-up. Reports client-side latency p50/p99
 * and the CPU the webhook's own threads spent per review.
 *
 * <pre>mvn -q -Pbench -Dbench.mode=webhook -Dbench.reviews=10000 -Dbench.callers=50</pre>
 */
public final class WebhookBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int NAMESPACES = 50;

  private WebhookBenchmark() {}

  public static void main(String[] args) throws Exception {
    int reviews = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int callers = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    // reviews per second the callers send together; 0 for as fast as they can (a closed loop)
    int rate = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    try (Cluster cluster = new Cluster()) {
      cluster.create(new io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder()
          .withNewMetadata().withName(WebhookCertificates.CONFIGURATION).endMetadata().addNewWebhook()
          .withName("workloads.rootlock.dev").withNewClientConfig().withNewService().withName("rootlock-webhook")
          .withNamespace("rootlock-system").endService().endClientConfig().endWebhook().build());
      for (int n = 0; n < NAMESPACES; n++) {
        var p = Fixtures.policy("web", "{selector: {matchLabels: {tier: web}}, cachePaths: [/var/cache/nginx]}");
        p.getMetadata().setNamespace("ns-" + n);
        cluster.create(p);
      }
      RootlockOperator rootlock = cluster.startOperator(Settings.defaults().withWebhook(
          new Settings.WebhookOptions(true, 0, WebhookCertificates.Source.self, "rootlock-system")));
      while (!rootlock.readiness().ok()) {
        Thread.sleep(50);
      }
      String ca = WebhookCertificates.text(cluster.client().secrets().inNamespace("rootlock-system")
          .withName(WebhookCertificates.SECRET).get(), "ca.crt");
      HttpClient https = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .sslContext(WebhookTls.trusting(ca, "rootlock-webhook.rootlock-system.svc")).build();
      URI uri = URI.create("https://localhost:" + rootlock.webhookPort() + "/mutate");
      List<String> bodies = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        bodies.add(review(i));
      }
      run(https, uri, bodies, Math.min(2_000, reviews), callers, 0); // warm-up: JIT, TLS sessions
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long processBefore = os.getProcessCpuTime();
      long cpuBefore = webhookCpu(threads);
      long start = System.nanoTime();
      Result r = run(https, uri, bodies, reviews, callers, rate);
      double seconds = (System.nanoTime() - start) / 1e9;
      long cpu = webhookCpu(threads) - cpuBefore;
      long process = os.getProcessCpuTime() - processBefore;
      List<Long> sorted = new ArrayList<>(r.latencies);
      Collections.sort(sorted);
      System.out.printf(Locale.ROOT, """
          webhook benchmark: %d reviews, %d concurrent callers, %s, %d namespaces (one policy each)
            patched %d, unchanged %d, errors %d
            latency p50 %.2f ms, p99 %.2f ms, max %.2f ms (client side, HTTPS keep-alive)
            throughput %.0f reviews/s
            webhook threads' CPU %.1f ms in all, %.3f ms per review
            process CPU (callers, TLS on both ends, webhook) %.3f ms per review, on %d cores
          """, reviews, callers, rate == 0 ? "as fast as they can" : "offered at " + rate + "/s", NAMESPACES, r.patched.get(), reviews - r.patched.get() - r.errors.get(),
          r.errors.get(), ms(percentile(sorted, 50)), ms(percentile(sorted, 99)), ms(sorted.get(sorted.size() - 1)),
          reviews / seconds, cpu / 1e6, cpu / 1e6 / reviews, process / 1e6 / reviews,
          Runtime.getRuntime().availableProcessors());
    }
    System.exit(0);
  }

  record Result(List<Long> latencies, AtomicInteger patched, AtomicInteger errors) {}

  /**
   * @param rate reviews per second to offer (each review is due at its slot, latency counted from
   *     then, so a queue shows); 0 sends each as soon as a caller is free
   */
  static Result run(HttpClient https, URI uri, List<String> bodies, int reviews, int callers, int rate)
      throws Exception {
    long begin = System.nanoTime();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger next = new AtomicInteger();
    AtomicInteger patched = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    List<Future<?>> done = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      done.add(pool.submit(() -> {
        for (int i = next.getAndIncrement(); i < reviews; i = next.getAndIncrement()) {
          long t0 = System.nanoTime();
          if (rate > 0) {
            long due = begin + i * 1_000_000_000L / rate;
            while (System.nanoTime() < due) {
              java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
            }
            t0 = due; // from when it was due, not when a caller got to it: waiting counts
          }
          try {
            HttpResponse<String> resp = https.send(HttpRequest.newBuilder(uri).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString(bodies.get(i % bodies.size())))
                .build(), HttpResponse.BodyHandlers.ofString());
            latencies.add(System.nanoTime() - t0);
            JsonNode response = JSON.readTree(resp.body()).path("response");
            if (resp.statusCode() != 200 || !response.path("allowed").asBoolean()) {
              errors.incrementAndGet();
            } else if (response.has("patch")) {
              patched.incrementAndGet();
            }
          } catch (Exception e) {
            errors.incrementAndGet();
          }
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    return new Result(latencies, patched, errors);
  }

  /** A CREATE review of one of three Deployments: needs hardening, already read-only, excluded. */
  static String review(int i) throws Exception {
    String pod = switch (i % 3) {
      case 0 -> "{containers: [{name: nginx, image: nginx:1.27, ports: [{containerPort: 80}]}, "
          + "{name: proxy, image: envoy:1.30}]}";
      case 1 -> "{containers: [{name: app, image: app:1, securityContext: {readOnlyRootFilesystem: true}, "
          + "volumeMounts: [{name: t, mountPath: /tmp}, {name: c, mountPath: /var/cache/nginx}]}], "
          + "volumes: [{name: t, emptyDir: {medium: Memory, sizeLimit: 64Mi}}, {name: c, emptyDir: {}}]}";
      default -> "{containers: [{name: legacy, image: legacy:0.9}]}";
    };
    var d = Fixtures.deployment("app-" + i, "{tier: web}", pod);
    d.getMetadata().setNamespace("ns-" + (i % NAMESPACES));
    if (i % 3 == 2) {
      d.getMetadata().setAnnotations(java.util.Map.of("rootlock.dev/exclude", "true"));
    }
    ObjectNode request = JSON.createObjectNode();
    request.put("uid", UUID.randomUUID().toString());
    request.putObject("kind").put("group", "apps").put("version", "v1").put("kind", "Deployment");
    request.put("operation", "CREATE");
    request.put("namespace", d.getMetadata().getNamespace());
    request.set("object", JsonPatches.tree(d));
    ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    review.set("request", request);
    return review.toString();
  }

  private static long webhookCpu(ThreadMXBean threads) {
    long total = 0;
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("rootlock-webhook")) {
        total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return total;
  }

  private static long percentile(List<Long> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }
}
