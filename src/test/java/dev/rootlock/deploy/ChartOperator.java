package dev.rootlock.deploy;

import dev.rootlock.testing.LocalPorts;
import dev.rootlock.testing.TokenKubeconfig;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.Rootlock;
import dev.rootlock.testing.Manifests;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operator as a Helm release runs it, outside the cluster: on KWOK nodes no process runs in
 * its pods, so this test's JVM starts {@code rootlock} (this build's classes) with the arguments
 * of the release's Deployment and a token of the release's ServiceAccount: it may do exactly what
 * the chart's RBAC lets it do, and a 403 shows in its log.
 */
final class ChartOperator implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final int httpPort;

  private ChartOperator(Process process, Path log, int httpPort) {
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
  }

  /** Starts it with {@code args} (the Deployment's, starting with {@code run}) as ServiceAccount rootlock-operator. */
  static ChartOperator start(ChartCluster cluster, String namespace, List<String> args) throws Exception {
    String token = cluster.kubectlOk("", "-n", namespace, "create", "token", "rootlock-operator", "--duration=1h")
        .strip();
    JsonNode admin = Manifests.parse(cluster.kubectlOk("", "config", "view", "--raw", "--minify", "--flatten",
        "-o", "json"), JsonNode.class);
    Path dir = Files.createDirectories(Path.of("target/helm-e2e").toAbsolutePath());
    Path kubeconfig = Files.writeString(dir.resolve("operator.kubeconfig"), TokenKubeconfig.of(
        admin.at("/clusters/0/cluster/server").asText(),
        admin.at("/clusters/0/cluster/certificate-authority-data").asText(), token, namespace));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Rootlock.class.getName()));
    command.addAll(args);
    int httpPort = LocalPorts.free();
    command.add("--http-port=" + httpPort);
    Path log = dir.resolve("operator.log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    // what the Deployment's fieldRefs give the pod: the Lease's namespace and the holder's name
    pb.environment().put("POD_NAMESPACE", namespace);
    pb.environment().put("POD_NAME", "helm-e2e-operator");
    return new ChartOperator(pb.start(), log, httpPort);
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Whether its {@code /readyz} answers 200 (as the Deployment's readiness probe asks). */
  boolean ready() {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + httpPort + "/readyz").toURL()
          .openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(1000);
      return c.getResponseCode() == 200;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  String log() throws Exception {
    return Files.readString(log);
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
