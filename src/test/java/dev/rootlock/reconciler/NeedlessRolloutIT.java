package dev.rootlock.reconciler;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.deployment;
import static dev.rootlock.testing.Fixtures.policy;
import static dev.rootlock.testing.Fixtures.web;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rootlock.testing.Cluster;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every template write is a rollout, so a workload that is already read-only with its paths
 * writable is never written just to add what Rootlock wants for its own convenience (crash logs
 * in the pod status): of four Deployments, one of them compliant already, exactly three are written.
 */
class NeedlessRolloutIT {
  final Cluster cluster = new Cluster();

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  @Test
  void anAlreadyReadOnlyWorkloadIsNotRolledOutForCrashLogs() {
    for (int i = 0; i < 3; i++) {
      cluster.create(web("plain-" + i));
    }
    cluster.create(deployment("ready", "{tier: web}", """
        {containers: [{name: app, image: app:1, securityContext: {readOnlyRootFilesystem: true},
          volumeMounts: [{name: scratch, mountPath: /tmp}]}],
         volumes: [{name: scratch, emptyDir: {medium: Memory, sizeLimit: 64Mi}}]}"""));
    cluster.startOperator();
    cluster.create(policy("p", "{selector: {matchLabels: {tier: web}}}"));

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(cluster.status(NS, "p").getCompliant()).isEqualTo(4));
    Cluster.settle(Duration.ofSeconds(2));
    assertThat(writes("ready")).as("already read-only with /tmp writable: no rollout").isZero();
    for (int i = 0; i < 3; i++) {
      assertThat(writes("plain-" + i)).isEqualTo(1);
    }
    assertThat(cluster.deployment(NS, "ready").getSpec().getTemplate().getSpec().getContainers().get(0)
        .getTerminationMessagePolicy()).isNull();
  }

  private long writes(String deployment) {
    return cluster.api().exchanges().stream()
        .filter(e -> e.method().equals("PATCH") && e.path().contains("/deployments/" + deployment + "?")
            && e.status() < 300)
        .count();
  }
}
