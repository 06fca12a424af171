package dev.rootlock.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Kubernetes cluster the end-to-end suite runs against, one per test JVM, treated as a user's
 * cluster: reached only through a kubeconfig.
 *
 * <p>Which cluster: the one whose kubeconfig {@code -Drootlock.e2e.kubeconfig} (or the environment
 * variable {@code ROOTLOCK_E2E_KUBECONFIG}) names — kind, k3d or a real cluster — used as it is;
 * otherwise the local control plane of {@code src/test/cluster/cluster}, started for the suite
 * and stopped after it (built first if needed: that needs Go). Without Go and without a named
 * cluster the suite is skipped, unless {@code -Drootlock.e2e.required=true} (as .ci/run sets).
 * A named cluster is never stopped, and the suite never reads the machine's own KUBECONFIG, so a
 * plain {@code mvn verify} cannot touch a cluster by accident.
 */
public final class E2ECluster implements AutoCloseable {
  static final Path SCRIPT = Path.of("src/test/cluster/cluster");

  private static E2ECluster current;

  private final Path kubeconfig;
  private final Path auditLog;
  private final boolean started;
  private final KubernetesClient admin;
  private boolean closed;

  private E2ECluster(Path kubeconfig, Path auditLog, boolean started) {
    this.kubeconfig = kubeconfig;
    this.auditLog = auditLog;
    this.started = started;
    this.admin = new KubernetesClientBuilder().withConfig(config(kubeconfig)).build();
  }

  /** The suite's cluster, started on first use. Skips (or fails, when required) if none can run. */
  static synchronized E2ECluster get() {
    if (current != null) {
      return current;
    }
    String named = System.getProperty("rootlock.e2e.kubeconfig", System.getenv("ROOTLOCK_E2E_KUBECONFIG"));
    if (named != null && !named.isBlank()) {
      // the local control plane started outside the suite (by .ci/run or by hand): its audit log too
      Map<String, String> local = Files.isExecutable(SCRIPT) ? env() : Map.of();
      boolean isLocal = Path.of(named).toAbsolutePath().equals(
          Path.of(local.getOrDefault("ROOTLOCK_CLUSTER_KUBECONFIG", "/nonexistent")).toAbsolutePath());
      current = new E2ECluster(Path.of(named), isLocal ? Path.of(local.get("ROOTLOCK_CLUSTER_AUDIT_LOG")) : null,
          false);
    } else {
      current = startLocal();
    }
    E2ECluster cluster = current;
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "e2e-cluster-down"));
    return current;
  }

  private static E2ECluster startLocal() {
    boolean required = Boolean.getBoolean("rootlock.e2e.required");
    if (!hasGo()) {
      String why = "no cluster for the end-to-end suite: Go is not installed to build the local control plane "
          + "(src/test/cluster/cluster), and -Drootlock.e2e.kubeconfig names no cluster";
      if (required) {
        throw new IllegalStateException(why);
      }
      assumeTrue(false, why);
    }
    Result up = run(List.of(SCRIPT.toString(), "up"), 1800);
    if (up.exitCode() != 0) {
      throw new IllegalStateException("the local control plane did not start (" + SCRIPT + " up, exit "
          + up.exitCode() + "):\n" + up.output());
    }
    List<String> lines = up.output().lines().filter(l -> !l.isBlank()).toList();
    Path kubeconfig = Path.of(lines.get(lines.size() - 1).strip());
    Map<String, String> env = env();
    return new E2ECluster(kubeconfig, Path.of(env.get("ROOTLOCK_CLUSTER_AUDIT_LOG")), true);
  }

  /**
   * The OpenReports CRD ({@code reports.openreports.io}) the local control plane's build copied from
   * its Go module, for any cluster the suite runs against; empty when it was not built here.
   */
  static Optional<Path> openReportsCrd() {
    if (!Files.isExecutable(SCRIPT)) {
      return Optional.empty();
    }
    return Optional.ofNullable(env().get("ROOTLOCK_CLUSTER_OPENREPORTS_CRD")).map(Path::of).filter(Files::isRegularFile);
  }

  private static Map<String, String> env() {
    Map<String, String> out = new java.util.HashMap<>();
    run(List.of(SCRIPT.toString(), "env"), 30).output().lines()
        .map(l -> l.split("=", 2)).filter(kv -> kv.length == 2).forEach(kv -> out.put(kv[0], kv[1]));
    return out;
  }

  private static boolean hasGo() {
    try {
      return run(List.of("go", "version"), 30).exitCode() == 0;
    } catch (UncheckedIOException e) {
      return false;
    }
  }

  static Config config(Path kubeconfig) {
    try {
      return Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read kubeconfig " + kubeconfig, e);
    }
  }

  /** A client with the kubeconfig's own (admin) credentials, for setting up and inspecting. */
  public KubernetesClient admin() {
    return admin;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  /** The API server's audit log, where the suite started the cluster itself. */
  public Optional<Path> auditLog() {
    return Optional.ofNullable(auditLog);
  }

  /** Runs kubectl against this cluster as its admin; the output is stdout and stderr together. */
  public Result kubectl(String... args) {
    return kubectlWithInput(null, args);
  }

  /** kubectl with {@code stdin} as its standard input (for {@code -f -}). */
  public Result kubectlWithInput(String stdin, String... args) {
    List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    return run(command, stdin, 300);
  }

  /**
   * Waits up to 60 s for a CRD to be Established. {@code kubectl wait --for=condition=Established}
   * alone fails at once, rather than waiting, while the just-created CRD has no conditions yet
   * ({@code .status.conditions accessor error: <nil>}), so it is asked again until it succeeds.
   */
  public void awaitEstablished(String crd) {
    awaitEstablished(crd, args -> kubectl(args).exitCode() == 0);
  }

  /** {@link #awaitEstablished(String)} with a kubectl of the caller's (the chart tests' own). */
  public static void awaitEstablished(String crd, Kubectl kubectl) {
    org.awaitility.Awaitility.await(crd + " Established").atMost(java.time.Duration.ofSeconds(60))
        .pollInterval(java.time.Duration.ofMillis(500))
        .until(() -> kubectl.succeeds("wait", "--for=condition=Established", "--timeout=10s", "crd/" + crd));
  }

  /** Runs kubectl with these arguments against a cluster. */
  @FunctionalInterface
  public interface Kubectl {
    /** @return whether kubectl exited 0 */
    boolean succeeds(String... args) throws Exception;
  }

  /** kubectl that must succeed; returns its output. */
  public String kubectlOk(String... args) {
    Result r = kubectl(args);
    if (r.exitCode() != 0) {
      throw new AssertionError("kubectl " + String.join(" ", args) + " failed (exit " + r.exitCode() + "):\n"
          + r.output());
    }
    return r.output();
  }

  /** Output (stdout and stderr together) and exit code of a command. */
  public record Result(int exitCode, String output) {}

  static Result run(List<String> command, long seconds) {
    return run(command, null, seconds);
  }

  static Result run(List<String> command, String stdin, long seconds) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish in " + seconds + " s");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Stops the local control plane if the suite started it; a named cluster is left running. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    admin.close();
    if (started) {
      Result down = run(List.of(SCRIPT.toString(), "down"), 120);
      if (down.exitCode() != 0) {
        System.err.println("e2e: " + SCRIPT + " down failed:\n" + down.output());
      }
    }
  }
}
