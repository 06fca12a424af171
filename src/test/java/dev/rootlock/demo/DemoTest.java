package dev.rootlock.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's no-cluster demo works, and shows what it promises. */
class DemoTest {
  @Test
  void demoHardensTheExamplesAndPrintsThePolicies() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code = Demo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);

    assertThat(code).as(out).isZero();
    assertThat(out).contains("-- Deployment shop/storefront", "-- Deployment shop/orders",
        "-- Deployment shop/search", "-- Deployment shop/legacy-reports", "-- StatefulSet shop/catalog-db",
        "-- DaemonSet shop/log-shipper");
    assertThat(out).contains("$ kubectl get rop -n shop -o wide").contains("AllCompliant");
    assertThat(out).contains("mount /var/cache/nginx <- rl-nginx-nginx-");
    assertThat(out).contains("securityContext {\"allowPrivilegeEscalation\":false,\"readOnlyRootFilesystem\":true}");
    assertThat(out).contains("Deployment legacy-reports: Excluded");
    assertThat(out).contains("Deployment search: Compliant - read-only root filesystem with writable paths in place; "
        + "container search /tmp: already mounted by scratch, left alone");
    assertThat(out).contains("StatefulSet catalog-db: Compliant - read-only root filesystem with writable paths in place");
    assertThat(out).contains("DaemonSet log-shipper: Compliant - read-only root filesystem with writable paths in place");
    assertThat(out).contains("mount /fluent-bit/db <- rl-fluent-bit-db-").contains("mount /var/log <- varlog");
  }
}
