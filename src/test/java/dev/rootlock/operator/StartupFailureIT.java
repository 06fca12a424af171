package dev.rootlock.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.testing.Cluster;
import dev.rootlock.testing.LocalPorts;
import dev.rootlock.testing.JdkTools;
import dev.rootlock.testing.MockApiServer.Fault;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way start-up fails names its real cause and the fix, never blaming the API server for a
 * local port or a connection for a missing CRD.
 */
class StartupFailureIT {
  Cluster cluster;

  @BeforeEach
  void setUp() {
    cluster = new Cluster();
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  /** What RunCommand logs when {@code settings} cannot start against {@code config}. */
  static String startupError(Config config, Settings settings) {
    RootlockOperator rootlock = RootlockOperator.create(config, settings);
    try {
      rootlock.start();
      throw new AssertionError("start-up was expected to fail");
    } catch (RuntimeException e) {
      return StartupFailure.explain(e, config.getMasterUrl());
    } finally {
      rootlock.stop();
    }
  }

  @Test
  void aTakenHttpPortIsNamedWithTheOptionThatChoosesAnother() throws IOException {
    try (ServerSocket taken = new ServerSocket(0)) {
      String message = startupError(cluster.client().getConfiguration(),
          Settings.defaults().withHttpPort(taken.getLocalPort()));
      assertThat(message).isEqualTo("cannot start: port " + taken.getLocalPort() + " (--http-port) is already in use "
          + "(BindException: Address already in use); stop what listens there (another Rootlock?) or choose "
          + "another port with --http-port (0 picks a free port)");
    }
  }

  @Test
  void aTakenWebhookPortIsNamedWithItsOwnOption() throws IOException {
    try (ServerSocket taken = new ServerSocket(0)) {
      String message = startupError(cluster.client().getConfiguration(), Settings.defaults().withWebhook(
          new Settings.WebhookOptions(true, taken.getLocalPort(), dev.rootlock.admission.WebhookCertificates.Source.self,
              "rootlock-system")));
      assertThat(message).isEqualTo("cannot start: port " + taken.getLocalPort() + " (--webhook-port) is already "
          + "in use (BindException: Address already in use); stop what listens there (another Rootlock?) or choose "
          + "another port with --webhook-port (0 picks a free port)");
    }
  }

  @Test
  void aWebhookWithoutItsSecretSaysWhyAndHowToRunWithout() {
    cluster.api().injectFaults(r -> r.getPath().contains("/secrets") ? Fault.FORBIDDEN : Fault.NONE);
    String message = startupError(cluster.client().getConfiguration(), Settings.defaults().withWebhook(
        new Settings.WebhookOptions(true, 0, dev.rootlock.admission.WebhookCertificates.Source.self,
            "rootlock-system")));
    assertThat(message).startsWith("cannot start the admission webhook: its TLS certificate is not available (")
        .contains("secrets is forbidden")
        .endsWith("check the RBAC on Secret rootlock-system/rootlock-webhook-tls, or run with --webhook=false");
  }

  @Test
  void aMissingCrdSaysToInstallIt() {
    cluster.api().injectFaults(r -> r.getPath().contains("/readonlypolicies") ? Fault.NOT_FOUND : Fault.NONE);
    String message = startupError(cluster.client().getConfiguration(), Settings.defaults());
    assertThat(message).startsWith("cannot start: the ReadOnlyPolicy CRD is not installed in the cluster at "
            + cluster.client().getConfiguration().getMasterUrl())
        .contains("404 Not Found").endsWith("install it with kubectl apply -k crds/ (or kubectl apply -k deploy/)");
  }

  @Test
  void missingRbacNamesTheRefusedRequestAndTheServersWords() {
    cluster.api().injectFaults(r -> r.getPath().startsWith("/apis/apps/v1/deployments") ? Fault.FORBIDDEN
        : Fault.NONE);
    String message = startupError(cluster.client().getConfiguration(), Settings.defaults());
    assertThat(message).startsWith("cannot start: Rootlock is not allowed to GET ")
        .contains("/apis/apps/v1/deployments")
        .contains("403 Forbidden: deployments.apps is forbidden: User \"system:serviceaccount:rootlock-system:"
            + "rootlock-operator\" cannot list resource \"deployments\" in API group \"apps\" at the cluster scope")
        .endsWith("apply its RBAC (kubectl apply -k deploy/, see docs/install.md) or run with an identity that has it");
  }

  @Test
  void anUnreachableApiServerIsAConnectionProblem() throws IOException {
    int closed = LocalPorts.free(); // nothing listens there
    Config config = new ConfigBuilder(cluster.client().getConfiguration())
        .withMasterUrl("https://127.0.0.1:" + closed).withRequestRetryBackoffLimit(0).build();
    String message = startupError(config, Settings.defaults());
    assertThat(message).startsWith("cannot start: cannot reach the Kubernetes API at https://127.0.0.1:" + closed)
        .contains("ConnectException")
        .endsWith("check the kubeconfig context (kubectl config current-context, KUBECONFIG) and that the API "
            + "server is up");
  }

  /** As a user meets it: a second operator on one host, started from the jar's main with a kubeconfig. */
  @Test
  void aSecondOperatorOnTheSameHttpPortExitsOneBlamingThePort(@TempDir Path dir) throws Exception {
    Path kubeconfig = cluster.writeKubeconfig(dir.resolve("kubeconfig"), "test");
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
      ProcessBuilder pb = new ProcessBuilder(JdkTools.tool("java"), "-cp", System.getProperty("java.class.path"),
          "dev.rootlock.Rootlock", "run", "--http-port", String.valueOf(taken.getLocalPort()))
          .redirectErrorStream(true);
      pb.environment().put("KUBECONFIG", kubeconfig.toString());
      Process p = pb.start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(out).isEqualTo(1);
      assertThat(out).contains("cannot start: port " + taken.getLocalPort() + " (--http-port) is already in use")
          .doesNotContain("did not answer as expected");
    }
  }
}
