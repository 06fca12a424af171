package dev.rootlock.e2e;

import dev.rootlock.testing.LocalPorts;
import static org.awaitility.Awaitility.await;

import dev.rootlock.testing.JdkTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar running as the operator, in a process of its own, with the credentials of the
 * ServiceAccount deploy/ installs (a TokenRequest token in a kubeconfig of its own): every request
 * it makes meets the API server's real authentication and RBAC, as in a pod. Its log goes to
 * {@code target/e2e/<name>.log}.
 */
public final class OperatorProcess implements AutoCloseable {
  static final Path JAR = Path.of("target/rootlock-operator.jar");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final String name;
  private final Process process;
  private final int httpPort;
  private final int webhookPort;
  private final Path log;

  private OperatorProcess(String name, Process process, int httpPort, int webhookPort, Path log) {
    this.name = name;
    this.process = process;
    this.httpPort = httpPort;
    this.webhookPort = webhookPort;
    this.log = log;
  }

  /**
   * Starts the operator as {@code name} (its identity in the Lease and in Events) with leader
   * election in Rootlock's namespace and {@code extraArgs}, and waits until it is ready.
   *
   * @param webhookPort the webhook's port, or -1 to run without the webhook
   */
  static OperatorProcess start(Installation installation, String name, int webhookPort, String... extraArgs) {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR + " is missing: the end-to-end suite runs after `mvn package`");
    }
    int httpPort = LocalPorts.free();
    List<String> command = new ArrayList<>(List.of(JdkTools.tool("java"), "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-jar", JAR.toString(), "run", "--http-port", String.valueOf(httpPort), "--identity", name,
        "--leader-election", "--lease-namespace", Installation.NAMESPACE));
    if (webhookPort >= 0) {
      command.addAll(List.of("--webhook", "--webhook-port", String.valueOf(webhookPort),
          "--webhook-host", "127.0.0.1"));
    } else {
      command.add("--webhook=false");
    }
    command.addAll(List.of(extraArgs));
    Path log = Path.of("target/e2e", name + ".log");
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().put("KUBECONFIG", installation.operatorKubeconfig().toString());
      pb.environment().remove("POD_NAMESPACE");
      pb.environment().remove("POD_NAME");
      OperatorProcess started = new OperatorProcess(name, pb.start(), httpPort, webhookPort, log);
      started.awaitReady();
      return started;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until {@code /readyz} answers 200: a leader with synced caches, or a serving standby. */
  private void awaitReady() {
    await("operator " + name + " ready (log: " + log + ")").atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250)).until(() -> readyz() != null);
  }

  /** Waits until this replica leads (and its caches are synced). */
  public void awaitLeader() {
    await("operator " + name + " leading (log: " + log + ")").atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250)).until(() -> isLeader());
  }

  /** True when {@code /readyz} says this replica leads. */
  public boolean isLeader() {
    String ready = readyz();
    return ready != null && ready.contains("leader");
  }

  /** The body of a 200 from {@code /readyz}, or null when not ready (or not answering). */
  private String readyz() {
    if (!process.isAlive()) {
      throw new IllegalStateException("operator " + name + " exited with " + process.exitValue() + ":\n"
          + tail(40));
    }
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
          + "/readyz")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The body of {@code /metrics}. */
  public String metrics() {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      return r.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String name() {
    return name;
  }

  public int webhookPort() {
    return webhookPort;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The whole log so far. */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The last {@code lines} lines of the log. */
  public String tail(int lines) {
    List<String> all = log().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /**
   * A test class's teardown: deletes its namespace first, while the operators still run (their
   * finalizers revert and release the policies), then checks that none of them was refused by
   * RBAC and stops them. Nulls (a setup that failed half-way) are skipped.
   */
  static void tearDown(Installation installation, TestNamespace ns, OperatorProcess... operators) {
    try {
      if (ns != null) {
        ns.close();
      }
    } finally {
      // every operator is stopped even when one was refused: one left running keeps the
      // leader-election lease and no later class's operator could lead
      AssertionError refused = null;
      for (OperatorProcess p : operators) {
        if (p == null) {
          continue;
        }
        try {
          Forbidden.assertNone(installation, p);
        } catch (AssertionError e) {
          if (refused == null) {
            refused = e;
          } else {
            refused.addSuppressed(e);
          }
        } finally {
          p.close();
        }
      }
      if (refused != null) {
        throw refused;
      }
    }
  }

  /** Stops it as Kubernetes stops a pod: SIGTERM, then SIGKILL after 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kills it without a chance to clean up (a node lost, an OOM kill). */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

}
