package dev.rootlock.operator;

import java.time.Duration;
import java.util.Set;

/**
 * How one operator process runs.
 *
 * @param namespaces namespaces to watch; empty means all
 * @param resync how often every policy is reconciled even without events
 * @param httpPort port of /metrics, /healthz and /readyz; 0 picks a free port, -1 serves nothing
 * @param leaderElection whether to take part in leader election (one active replica)
 * @param leaseNamespace where the Lease lives; required with leader election
 * @param identity this replica's name in the Lease and in Events (the pod name in a cluster)
 * @param leaseDuration how long a silent leader keeps the Lease before another replica takes over
 * @param exitOnLostLeadership end the process when leadership is lost (a pod restarts clean);
 *     off in tests, where the JVM must survive
 */
public record Settings(Set<String> namespaces, Duration resync, int httpPort, boolean leaderElection,
    String leaseNamespace, String identity, Duration leaseDuration, boolean exitOnLostLeadership) {
  public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(10);
  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final String LEASE_NAME = "rootlock-operator";
  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);

  public Settings {
    namespaces = Set.copyOf(namespaces);
    if (resync.isNegative() || resync.isZero()) {
      throw new IllegalArgumentException("--resync must be positive, was " + resync);
    }
    if (httpPort < -1 || httpPort > 65535) {
      throw new IllegalArgumentException("--http-port must be 0..65535, was " + httpPort);
    }
    if (leaderElection && (leaseNamespace == null || leaseNamespace.isBlank())) {
      throw new IllegalArgumentException("--leader-election needs --lease-namespace (or the POD_NAMESPACE "
          + "environment variable, set from the downward API)");
    }
  }

  /** Defaults for a local run: all namespaces, no leader election, no HTTP server. */
  public static Settings defaults() {
    return new Settings(Set.of(), DEFAULT_RESYNC, -1, false, null, "local", DEFAULT_LEASE_DURATION, false);
  }

  public Settings withResync(Duration d) {
    return new Settings(namespaces, d, httpPort, leaderElection, leaseNamespace, identity, leaseDuration,
        exitOnLostLeadership);
  }

  public Settings withHttpPort(int port) {
    return new Settings(namespaces, resync, port, leaderElection, leaseNamespace, identity, leaseDuration,
        exitOnLostLeadership);
  }

  public Settings withLeaderElection(String namespace, String id, Duration lease) {
    return new Settings(namespaces, resync, httpPort, true, namespace, id, lease, exitOnLostLeadership);
  }
}
