package dev.rootlock.cli;

import dev.rootlock.admission.WebhookCertificates;
import dev.rootlock.operator.RootlockOperator;
import dev.rootlock.operator.Settings;
import dev.rootlock.operator.StartupFailure;
import dev.rootlock.reconciler.observing.DriftLimit;
import dev.rootlock.reports.ReportFormat;
import io.fabric8.kubernetes.client.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the operator against the cluster of the current kubeconfig until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run the operator against the cluster of the current kubeconfig (KUBECONFIG, "
        + "~/.kube/config, or the in-cluster service account) until stopped with SIGTERM or Ctrl-C.")
public final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Option(names = "--namespaces", split = ",", paramLabel = "NS",
      defaultValue = "${env:ROOTLOCK_NAMESPACES:-}",
      description = "Namespaces to watch, comma-separated; default all (env ROOTLOCK_NAMESPACES).")
  List<String> namespaces = List.of();

  @Option(names = "--resync", paramLabel = "DURATION", converter = DurationConverter.class,
      defaultValue = "${env:ROOTLOCK_RESYNC:-10m}",
      description = "Reconcile every policy at least this often, e.g. 30s, 10m (env ROOTLOCK_RESYNC; default ${DEFAULT-VALUE}).")
  Duration resync;

  @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "${env:ROOTLOCK_HTTP_PORT:-8080}",
      description = "Port for /metrics, /healthz and /readyz; 0 picks a free port, -1 serves none "
          + "(env ROOTLOCK_HTTP_PORT; default ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "${env:ROOTLOCK_LOG_FORMAT:-text}",
      description = "text or json (JSON lines) (env ROOTLOCK_LOG_FORMAT; default ${DEFAULT-VALUE}).")
  LogFormat logFormat;

  @Option(names = "--leader-election", negatable = true, defaultValue = "${env:ROOTLOCK_LEADER_ELECTION:-false}",
      fallbackValue = "true",
      description = "Take part in leader election so that only one replica works (env ROOTLOCK_LEADER_ELECTION; default off).")
  boolean leaderElection;

  @Option(names = "--lease-namespace", paramLabel = "NS", defaultValue = "${env:POD_NAMESPACE:-}",
      description = "Namespace of the leader election Lease (default: env POD_NAMESPACE, from the downward API).")
  String leaseNamespace;

  @Option(names = "--identity", paramLabel = "NAME", defaultValue = "${env:POD_NAME:-}",
      description = "This replica's name in the Lease and in Events (default: env POD_NAME, else the host name "
          + "plus a random suffix).")
  String identity;

  @Option(names = "--reports", paramLabel = "API", defaultValue = "${env:ROOTLOCK_REPORTS:-auto}",
      description = "Publish per-workload results as policy reports: auto (OpenReports when its CRD is installed, "
          + "else wgpolicyk8s.io PolicyReport when that one is, else none), openreports, wgpolicy, off "
          + "(env ROOTLOCK_REPORTS; default ${DEFAULT-VALUE}).")
  String reports;

  @Option(names = "--webhook", negatable = true, fallbackValue = "true", defaultValue = "${env:ROOTLOCK_WEBHOOK}",
      description = "Serve the admission webhook that hardens workloads as they are created or updated (env "
          + "ROOTLOCK_WEBHOOK; default: on in a pod, where POD_NAMESPACE is set, off elsewhere).")
  Boolean webhook;

  @Option(names = "--webhook-port", paramLabel = "PORT", defaultValue = "${env:ROOTLOCK_WEBHOOK_PORT:-9443}",
      description = "HTTPS port of the webhook's /mutate (env ROOTLOCK_WEBHOOK_PORT; default ${DEFAULT-VALUE}).")
  int webhookPort;

  @Option(names = "--webhook-certificates", paramLabel = "SOURCE", defaultValue = "self",
      description = "self (default): the operator issues and renews the webhook's certificate in Secret "
          + "rootlock-webhook-tls and sets the caBundle; cert-manager: cert-manager does, the operator only reads it.")
  String webhookCertificates;

  @Option(names = "--webhook-host", paramLabel = "HOST", split = ",",
      description = "A DNS name or IP address the self-issued webhook certificate is also for, besides the "
          + "Service's, comma-separated or repeated: for an operator run outside the cluster that a webhook "
          + "configuration reaches by url (e.g. 127.0.0.1).")
  List<String> webhookHosts = List.of();

  @Option(names = "--drift-fight-corrections", paramLabel = "N", defaultValue = "3",
      description = "Stop correcting a workload after this many corrections of someone else's revert within "
          + "--drift-fight-window (default ${DEFAULT-VALUE}).")
  int driftCorrections;

  @Option(names = "--drift-fight-window", paramLabel = "DURATION", defaultValue = "1h",
      converter = DurationConverter.class, description = "See --drift-fight-corrections (default ${DEFAULT-VALUE}).")
  Duration driftWindow;

  @Option(names = "--seed-image", paramLabel = "IMAGE", defaultValue = "${env:ROOTLOCK_SEED_IMAGE:-}",
      description = "Image that copies seeded paths out of an image volume (spec.seed.method ImageVolume); it "
          + "needs sh, cp, rm, chmod and readlink. Default: the Rootlock image.")
  String seedImage;

  @Option(names = "--reconcile-threads", paramLabel = "N",
      defaultValue = "${env:ROOTLOCK_RECONCILE_THREADS:-" + Settings.DEFAULT_RECONCILE_THREADS + "}",
      description = "Policies reconciled at once (env ROOTLOCK_RECONCILE_THREADS; default ${DEFAULT-VALUE}).")
  int reconcileThreads;

  Settings settings() {
    Set<String> ns = new LinkedHashSet<>();
    namespaces.stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(ns::add);
    // Without a pod name, two replicas on one host must still differ in the Lease.
    String id = identity == null || identity.isBlank()
        ? hostName() + "-" + java.util.UUID.randomUUID().toString().substring(0, 8) : identity;
    // In a pod (the downward API sets POD_NAMESPACE) the webhook is on by default. On a laptop it is
    // off: it would write a Secret into the kubeconfig's namespace and could point the cluster's
    // webhook configuration at a CA no in-cluster replica serves.
    String podNamespace = System.getenv("POD_NAMESPACE");
    boolean inPod = podNamespace != null && !podNamespace.isBlank();
    String webhookNamespace = inPod ? podNamespace : leaseNamespace;
    Settings.WebhookOptions w = new Settings.WebhookOptions(webhook != null ? webhook : inPod, webhookPort,
        switch (webhookCertificates) {
          case "self" -> WebhookCertificates.Source.self;
          case "cert-manager" -> WebhookCertificates.Source.certManager;
          default -> throw new IllegalArgumentException("--webhook-certificates: '" + webhookCertificates
              + "' is neither self nor cert-manager");
        }, webhookNamespace, webhookHosts.stream().map(String::trim).filter(h -> !h.isEmpty()).toList());
    if (reconcileThreads < 1) {
      throw new IllegalArgumentException("--reconcile-threads must be at least 1, was " + reconcileThreads);
    }
    return new Settings(ns, resync, httpPort, leaderElection, leaseNamespace, id, Settings.DEFAULT_LEASE_DURATION,
        true, ReportFormat.Option.parse(reports), w, new DriftLimit(driftCorrections, driftWindow), reconcileThreads,
        true, seedImage, Settings.DEFAULT_POD_LOOK_AFTER);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "rootlock";
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    logFormat.apply();
    Settings settings;
    try {
      settings = settings();
    } catch (IllegalArgumentException e) {
      LOG.error("{}", e.getMessage());
      return 2;
    }
    String noCluster = ClusterConfig.problem();
    if (noCluster != null) {
      LOG.error("{}", noCluster);
      return 2;
    }
    Config config = Config.autoConfigure(null);
    RootlockOperator rootlock = RootlockOperator.create(config, settings);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("stopping");
      rootlock.stop();
      stopped.countDown();
    }, "rootlock-shutdown"));
    LOG.info("starting against {} namespaces={} resync={} leaderElection={} identity={}", config.getMasterUrl(),
        settings.namespaces().isEmpty() ? "all" : settings.namespaces(), settings.resync(),
        settings.leaderElection(), settings.identity());
    try {
      rootlock.start();
    } catch (RuntimeException e) {
      LOG.error("{}", StartupFailure.explain(e, config.getMasterUrl()));
      rootlock.stop();
      return 1;
    }
    stopped.await();
    return 0;
  }
}
