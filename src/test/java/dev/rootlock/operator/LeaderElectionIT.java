package dev.rootlock.operator;

import static dev.rootlock.testing.Fixtures.NS;
import static dev.rootlock.testing.Fixtures.policy;
import static dev.rootlock.testing.Fixtures.web;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.testing.Cluster;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Two replicas against one API server: one works, the other takes over when it stops. */
class LeaderElectionIT {
  static final Duration LEASE = Duration.ofSeconds(3);

  private static Settings replica(String id) {
    return Settings.defaults().withLeaderElection("rootlock-system", id, LEASE);
  }

  private static double writes(RootlockOperator r) {
    return r.registry().find(RootlockMetrics.PATCHES).tag("result", "success").counters().stream().mapToDouble(c -> c.count()).sum();
  }

  @Test
  void afterALeaderCrashTheStandbyTakesOverWhenTheLeaseExpires() {
    try (Cluster cluster = new Cluster();
        RootlockOperator a = RootlockOperator.create(cluster.client().getConfiguration(), replica("replica-a"));
        RootlockOperator b = RootlockOperator.create(cluster.client().getConfiguration(), replica("replica-b"))) {
      a.start();
      await().atMost(LEASE.multipliedBy(3)).until(a::isLeader);
      b.start();
      cluster.create(web("first"));
      cluster.create(policy("web", "{selector: {matchLabels: {tier: web}}}"));
      await().atMost(Duration.ofSeconds(15)).until(() -> cluster.policy(NS, "web").getStatus() != null
          && Integer.valueOf(1).equals(cluster.policy(NS, "web").getStatus().getCompliant()));

      Instant crashed = Instant.now();
      a.stop(false); // no hand-over: the Lease must expire
      await().atMost(LEASE.multipliedBy(3)).pollInterval(Duration.ofMillis(100)).until(b::isLeader);
      Duration takeover = Duration.between(crashed, Instant.now());
      System.out.println("leader election: takeover after a crash " + takeover.toMillis() + " ms (lease "
          + LEASE.toMillis() + " ms, retry " + LEASE.dividedBy(5).toMillis() + " ms)");
      // the Lease expires at most one lease after the crash; b notices at its next retry (period
      // plus fabric8's jitter), so allow three retry periods on a loaded 2-core machine
      assertThat(takeover).isLessThanOrEqualTo(LEASE.plus(LEASE.dividedBy(5).multipliedBy(3)));

      cluster.create(web("second"));
      await().atMost(Duration.ofSeconds(15)).until(() ->
          Integer.valueOf(2).equals(cluster.policy(NS, "web").getStatus().getCompliant()));
      assertThat(writes(b)).isEqualTo(1.0);
    }
  }

  @Test
  void exactlyOneReplicaReconcilesAndTheOtherTakesOverWithinTheLease() {
    try (Cluster cluster = new Cluster();
        RootlockOperator a = RootlockOperator.create(cluster.client().getConfiguration(), replica("replica-a"));
        RootlockOperator b = RootlockOperator.create(cluster.client().getConfiguration(), replica("replica-b"))) {
      a.start();
      b.start();
      await().atMost(LEASE.multipliedBy(3)).until(() -> a.isLeader() || b.isLeader());
      RootlockOperator leader = a.isLeader() ? a : b;
      RootlockOperator standby = leader == a ? b : a;
      assertThat(standby.isLeader()).isFalse();
      // a standby is Ready (it serves the webhook and can take over; a rolling update needs that),
      // and says it is not the one reconciling
      assertThat(standby.readiness().ok()).isTrue();
      assertThat(standby.readiness().detail()).startsWith("standby: another replica leads");
      assertThat(leader.readiness().detail()).isEqualTo("leader");

      cluster.create(web("first"));
      cluster.create(policy("web", "{selector: {matchLabels: {tier: web}}}"));
      await().atMost(Duration.ofSeconds(15)).until(() -> cluster.policy(NS, "web").getStatus() != null
          && Integer.valueOf(1).equals(cluster.policy(NS, "web").getStatus().getCompliant()));
      assertThat(writes(leader)).isEqualTo(1.0);
      assertThat(writes(standby)).isZero();

      Instant stopped = Instant.now();
      leader.stop();
      await().atMost(LEASE.multipliedBy(2)).pollInterval(Duration.ofMillis(100)).until(standby::isLeader);
      Duration takeover = Duration.between(stopped, Instant.now());
      System.out.println("leader election: takeover after " + takeover.toMillis() + " ms (lease " + LEASE.toMillis() + " ms)");
      assertThat(takeover).isLessThanOrEqualTo(LEASE);

      cluster.create(web("second"));
      await().atMost(Duration.ofSeconds(15)).until(() ->
          Integer.valueOf(2).equals(cluster.policy(NS, "web").getStatus().getCompliant()));

      // Applied writes over the whole run (a 409 after the controller's status write is retried, not applied)
      Map<String, Long> patchesPerDeployment = cluster.api().exchanges().stream()
          .filter(e -> "PATCH".equals(e.method()) && e.path().contains("/deployments/") && e.status() < 300)
          .collect(Collectors.groupingBy(e -> e.path().replaceAll("\\?.*", ""), Collectors.counting()));
      assertThat(patchesPerDeployment).containsOnly(
          Map.entry("/apis/apps/v1/namespaces/shop/deployments/first", 1L),
          Map.entry("/apis/apps/v1/namespaces/shop/deployments/second", 1L));
    }
  }
}
