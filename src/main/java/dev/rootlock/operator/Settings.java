package dev.rootlock.operator;

import dev.rootlock.admission.WebhookCertificates;
import dev.rootlock.engine.SeedPlatform;
import dev.rootlock.reconciler.observing.DriftLimit;
import dev.rootlock.reports.ReportFormat;
import java.time.Duration;
import java.util.List;
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
 * @param reports which report API per-workload results are published in ({@code --reports})
 * @param webhook the admission webhook, or {@link WebhookOptions#OFF}
 * @param driftFight when Rootlock stops correcting a workload someone keeps reverting
 * @param reconcileThreads policies reconciled at once ({@code --reconcile-threads}); 0 for
 *     {@link #DEFAULT_RECONCILE_THREADS}
 * @param trimCaches whether the workload informers drop what Rootlock never reads (managedFields,
 *     last-applied-configuration); always true but in the scale benchmark, which measures what
 *     trimming saves (docs/benchmarks.md)
 * @param seedImage the image that copies seeded paths out of an image volume ({@code --seed-image});
 *     null for {@link SeedPlatform#DEFAULT_COPIER_IMAGE}
 * @param podLookAfter how long a followed rollout's status may stand still before its pods are
 *     listed, and how often while it does ({@link #DEFAULT_POD_LOOK_AFTER}; shorter in tests)
 */
public record Settings(Set<String> namespaces, Duration resync, int httpPort, boolean leaderElection,
    String leaseNamespace, String identity, Duration leaseDuration, boolean exitOnLostLeadership,
    ReportFormat.Option reports, WebhookOptions webhook, DriftLimit driftFight, int reconcileThreads,
    boolean trimCaches, String seedImage, Duration podLookAfter) {
  public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(10);
  public static final int DEFAULT_HTTP_PORT = 8080;
  public static final String LEASE_NAME = "rootlock-operator";
  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);
  /**
   * JOSDK's default. A reconcile mostly waits on the API server, so many run at once; under a CPU
   * limit, fewer let each policy's first patches out sooner when every policy starts at once
   * (docs/benchmarks.md, cold process, has what 4 did).
   */
  public static final int DEFAULT_RECONCILE_THREADS = 50;
  /**
   * Long enough that a healthy rollout, whose status moves every few seconds, is never listed; short
   * enough that a crash is seen within seconds of the pods' first restart (docs/rollout-safety.md).
   */
  public static final Duration DEFAULT_POD_LOOK_AFTER = Duration.ofSeconds(10);

  /**
   * @param port the HTTPS port of {@code /mutate}; 0 picks a free one
   * @param certificates who writes the TLS Secret: the operator (self) or cert-manager
   * @param namespace where the TLS Secret lives: the operator's own namespace
   * @param hosts names (DNS names or IP addresses) the self-issued serving certificate is for
   *     besides the Service's: how a webhook configuration's {@code url} reaches an operator run
   *     outside the cluster ({@code --webhook-host})
   */
  public record WebhookOptions(boolean enabled, int port, WebhookCertificates.Source certificates, String namespace,
      List<String> hosts) {
    public static final int DEFAULT_PORT = 9443;
    public static final WebhookOptions OFF =
        new WebhookOptions(false, DEFAULT_PORT, WebhookCertificates.Source.self, null);

    public WebhookOptions {
      hosts = hosts == null ? List.of() : List.copyOf(hosts);
    }

    /** A webhook reached through its Service only. */
    public WebhookOptions(boolean enabled, int port, WebhookCertificates.Source certificates, String namespace) {
      this(enabled, port, certificates, namespace, List.of());
    }
  }

  /** Settings with the default copier image. */
  public Settings(Set<String> namespaces, Duration resync, int httpPort, boolean leaderElection,
      String leaseNamespace, String identity, Duration leaseDuration, boolean exitOnLostLeadership,
      ReportFormat.Option reports, WebhookOptions webhook, DriftLimit driftFight, int reconcileThreads,
      boolean trimCaches) {
    this(namespaces, resync, httpPort, leaderElection, leaseNamespace, identity, leaseDuration, exitOnLostLeadership,
        reports, webhook, driftFight, reconcileThreads, trimCaches, null, DEFAULT_POD_LOOK_AFTER);
  }

  public Settings {
    namespaces = Set.copyOf(namespaces);
    seedImage = seedImage == null || seedImage.isBlank() ? SeedPlatform.DEFAULT_COPIER_IMAGE : seedImage.strip();
    reports = reports == null ? ReportFormat.Option.auto : reports;
    webhook = webhook == null ? WebhookOptions.OFF : webhook;
    driftFight = driftFight == null ? DriftLimit.DEFAULT : driftFight;
    if (reconcileThreads < 0) {
      throw new IllegalArgumentException("--reconcile-threads must be at least 1 (0 here: the default), was "
          + reconcileThreads);
    }
    reconcileThreads = reconcileThreads == 0 ? DEFAULT_RECONCILE_THREADS : reconcileThreads;
    if (webhook.enabled() && (webhook.port() < 0 || webhook.port() > 65535)) {
      throw new IllegalArgumentException("--webhook-port must be 0..65535, was " + webhook.port());
    }
    if (webhook.enabled() && (webhook.namespace() == null || webhook.namespace().isBlank())) {
      throw new IllegalArgumentException("the webhook needs the operator's namespace for its TLS Secret: set "
          + "POD_NAMESPACE (from the downward API) or --lease-namespace, or run with --webhook=false");
    }
    if (driftFight.corrections() < 1 || driftFight.window().isNegative() || driftFight.window().isZero()) {
      throw new IllegalArgumentException("--drift-fight-corrections must be at least 1 and --drift-fight-window "
          + "positive");
    }
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
    return new Settings(Set.of(), DEFAULT_RESYNC, -1, false, null, "local", DEFAULT_LEASE_DURATION, false,
        ReportFormat.Option.auto, WebhookOptions.OFF, DriftLimit.DEFAULT, 0, true);
  }

  public Settings withResync(Duration d) {
    return new Settings(namespaces, d, httpPort, leaderElection, leaseNamespace, identity, leaseDuration,
        exitOnLostLeadership, reports, webhook, driftFight, reconcileThreads, trimCaches, seedImage, podLookAfter);
  }

  public Settings withHttpPort(int port) {
    return new Settings(namespaces, resync, port, leaderElection, leaseNamespace, identity, leaseDuration,
        exitOnLostLeadership, reports, webhook, driftFight, reconcileThreads, trimCaches, seedImage, podLookAfter);
  }

  public Settings withLeaderElection(String namespace, String id, Duration lease) {
    return new Settings(namespaces, resync, httpPort, true, namespace, id, lease, exitOnLostLeadership, reports,
        webhook, driftFight, reconcileThreads, trimCaches, seedImage, podLookAfter);
  }

  public Settings withReports(ReportFormat.Option mode) {
    return new Settings(namespaces, resync, httpPort, leaderElection, leaseNamespace, identity, leaseDuration,
        exitOnLostLeadership, mode, webhook, driftFight, reconcileThreads, trimCaches, seedImage, podLookAfter);
  }

  public Settings withWebhook(WebhookOptions w) {
    return new Settings(namespaces, resync, httpPort, leaderElection, leaseNamespace, identity, leaseDuration,
        exitOnLostLeadership, reports, w, driftFight, reconcileThreads, trimCaches, seedImage, podLookAfter);
  }

  public Settings withSeedImage(String image) {
    return new Settings(namespaces, resync, httpPort, leaderElection, leaseNamespace, identity, leaseDuration,
        exitOnLostLeadership, reports, webhook, driftFight, reconcileThreads, trimCaches, image, podLookAfter);
  }

  public Settings withCacheTrim(boolean trim) {
    return new Settings(namespaces, resync, httpPort, leaderElection, leaseNamespace, identity, leaseDuration,
        exitOnLostLeadership, reports, webhook, driftFight, reconcileThreads, trim, seedImage, podLookAfter);
  }

  public Settings withPodLookAfter(Duration d) {
    return new Settings(namespaces, resync, httpPort, leaderElection, leaseNamespace, identity, leaseDuration,
        exitOnLostLeadership, reports, webhook, driftFight, reconcileThreads, trimCaches, seedImage, d);
  }
}
