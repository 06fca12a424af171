package dev.rootlock.operator;

import dev.rootlock.admission.Webhook;
import dev.rootlock.api.Annotations;
import dev.rootlock.engine.SeedPlatform;
import dev.rootlock.events.EventRecorder;
import dev.rootlock.http.HttpEndpoints;
import dev.rootlock.metrics.RootlockMetrics;
import dev.rootlock.reconciler.ReadOnlyPolicyReconciler;
import dev.rootlock.reports.ReportWriter;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Rootlock: the JOSDK Operator with its controller, the metrics registry, leader
 * election and the HTTP endpoints. Used by the CLI and by the tests, so both run the same thing.
 */
public final class RootlockOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RootlockOperator.class);

  private final Settings settings;
  private final Operator operator;
  private final PrometheusMeterRegistry registry;
  private final RootlockMetrics metrics;
  private final AtomicBoolean leader;
  private final AtomicBoolean stopping;
  private final KubernetesClient client;
  private final EventRecorder events;
  private final ReadOnlyPolicyReconciler reconciler;
  /** The reconcile and the webhook harden for the same platform, so they write the same seeders. */
  private final SeedPlatform seeding;
  private HttpEndpoints http;
  private Webhook webhook;

  private RootlockOperator(Settings settings, Operator operator, PrometheusMeterRegistry registry,
      RootlockMetrics metrics, AtomicBoolean leader, AtomicBoolean stopping, KubernetesClient client,
      EventRecorder events, ReadOnlyPolicyReconciler reconciler, SeedPlatform seeding) {
    this.seeding = seeding;
    this.client = client;
    this.events = events;
    this.stopping = stopping;
    this.settings = settings;
    this.operator = operator;
    this.registry = registry;
    this.metrics = metrics;
    this.leader = leader;
    this.reconciler = reconciler;
  }

  /** Sent with every request, so audit logs (and the RBAC test) can tell Rootlock's requests apart. */
  public static final String USER_AGENT = "rootlock-operator/0.1.0";

  /** The operator, owning a client built for {@code config}; stopping it closes the client. */
  public static RootlockOperator create(Config config, Settings settings) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RootlockMetrics metrics = new RootlockMetrics(registry);
    KubernetesClient client = ApiServerClient.build(config, metrics);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    // Leader election off: this replica is the one that works.
    AtomicBoolean leader = new AtomicBoolean(!settings.leaderElection());
    AtomicBoolean stopping = new AtomicBoolean();

    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          // JSON Patch instead of server-side apply for finalizer and status writes: accepted by
          // every API server, and exactly reproducible in tests.
          .withUseSSAToPatchPrimaryResource(false)
          .withCloseClientOnStop(false) // stop() still needs it to hand the Lease over
          .withResourceCloner(new PolicyCloner(client.getKubernetesSerialization()))
          .withConcurrentReconciliationThreads(settings.reconcileThreads())
          .withStopOnInformerErrorDuringStartup(true)
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry));
      if (settings.leaderElection()) {
        o.withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder
            .aLeaderElectionConfiguration(Settings.LEASE_NAME)
            .withLeaseNamespace(settings.leaseNamespace())
            .withIdentity(settings.identity())
            .withLeaseDuration(settings.leaseDuration())
            .withRenewDeadline(settings.leaseDuration().multipliedBy(2).dividedBy(3))
            .withRetryPeriod(settings.leaseDuration().dividedBy(5))
            // JOSDK would System.exit() from inside our own shutdown hook (a deadlock on SIGTERM):
            // Rootlock exits itself, and only when leadership is lost while still running.
            .withExitOnStopLeading(false)
            .withLeaderCallbacks(new LeaderCallbacks(
                () -> {
                  leader.set(true);
                  LOG.info("leading as {}", settings.identity());
                },
                () -> {
                  leader.set(false);
                  LOG.info("stopped leading as {}", settings.identity());
                  if (settings.exitOnLostLeadership() && !stopping.get()) {
                    LOG.error("lost leadership while running; exiting so the pod restarts clean");
                    new Thread(() -> System.exit(1), "rootlock-exit").start();
                  }
                },
                newLeader -> LOG.info("leader is {}", newLeader)))
            .build());
      }
    });
    EventRecorder events = new EventRecorder(client, settings.identity(), Clock.systemUTC());
    SeedPlatform seeding = ApiServerClient.seedPlatform(client, settings.seedImage());
    ReadOnlyPolicyReconciler reconciler = new ReadOnlyPolicyReconciler(metrics, events,
        new ReportWriter(client, settings.reports(), Clock.systemUTC()), settings.driftFight(),
        settings.trimCaches(), seeding, settings.podLookAfter());
    operator.register(reconciler, c -> {
      c.withReconciliationMaxInterval(settings.resync());
      c.withFieldManager(Annotations.FIELD_MANAGER);
      if (settings.namespaces().isEmpty()) {
        c.watchingAllNamespaces();
      } else {
        c.settingNamespaces(settings.namespaces());
      }
    });
    return new RootlockOperator(settings, operator, registry, metrics, leader, stopping, client, events,
        reconciler, seeding);
  }

  /** Starts the HTTP endpoints (so probes answer during start-up) and then the operator. */
  public void start() {
    if (settings.httpPort() >= 0) {
      try {
        http = new HttpEndpoints(settings.httpPort(), registry, this::liveness, this::readiness);
      } catch (java.net.BindException e) {
        throw StartupFailure.portInUse("--http-port", settings.httpPort(), e);
      } catch (IOException e) {
        throw StartupFailure.cannotListen("--http-port", settings.httpPort(), e);
      }
      LOG.info("serving /metrics /healthz /readyz on port {}", http.port());
    }
    Settings.WebhookOptions w = settings.webhook();
    if (w.enabled()) {
      try {
        webhook = Webhook.start(client, w, settings.namespaces(), Clock.systemUTC(), seeding);
      } catch (Webhook.StartException e) {
        throw e.portInUse() ? StartupFailure.portInUse("--webhook-port", w.port(), e.getCause())
            : StartupFailure.of(e.getMessage(), e.getCause());
      }
    }
    operator.start();
  }

  /** Liveness: every event source (informer) is healthy. Not yet started counts as alive. */
  public HttpEndpoints.Probe liveness() {
    if (!operator.getRuntimeInfo().isStarted()) {
      return new HttpEndpoints.Probe(true, "starting");
    }
    var unhealthy = unhealthyEventSources();
    return unhealthy.isEmpty()
        ? new HttpEndpoints.Probe(true, "event sources healthy")
        : new HttpEndpoints.Probe(false, "unhealthy event sources: " + unhealthy.entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue().keySet()).toList());
  }

  /** Controllers with at least one unhealthy event source (JOSDK also lists controllers with none). */
  private java.util.Map<String, ? extends java.util.Map<String, ?>> unhealthyEventSources() {
    return operator.getRuntimeInfo().unhealthyEventSources().entrySet().stream()
        .filter(e -> !e.getValue().isEmpty())
        .collect(java.util.stream.Collectors.toMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue));
  }

  /**
   * Readiness: this replica can do its part. Every replica serves the webhook (when on), so that
   * must be up; the leader (or the only replica) must also have its controller caches synced. A
   * standby is ready too: it serves the webhook and is ready to take over, and a rolling update
   * needs ready new replicas before the old ones go.
   */
  public HttpEndpoints.Probe readiness() {
    if (webhook != null && !webhook.isServing()) {
      return new HttpEndpoints.Probe(false, "starting: webhook certificate or policies not loaded yet");
    }
    if (!leader.get()) {
      return new HttpEndpoints.Probe(true, "standby: another replica leads"
          + (webhook == null ? "" : "; serving the webhook"));
    }
    if (!operator.getRuntimeInfo().isStarted()) {
      return new HttpEndpoints.Probe(false, "starting: caches not synced yet");
    }
    if (!unhealthyEventSources().isEmpty()) {
      return new HttpEndpoints.Probe(false, "event sources unhealthy");
    }
    return new HttpEndpoints.Probe(true, settings.leaderElection() ? "leader" : "ready");
  }

  /** The webhook's HTTPS port, or -1 without a webhook. */
  public int webhookPort() {
    return webhook == null ? -1 : webhook.port();
  }

  public boolean isLeader() {
    return leader.get();
  }

  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public RootlockMetrics metrics() {
    return metrics;
  }

  public Operator operator() {
    return operator;
  }

  public void stop() {
    stop(true);
  }

  /** @param handOver release the Lease if leading; false behaves like a crash, for tests */
  synchronized void stop(boolean handOver) {
    if (client.getHttpClient().isClosed()) {
      return;
    }
    stopping.set(true);
    boolean wasLeader = settings.leaderElection() && leader.get();
    operator.stop();
    reconciler.close();
    events.close();
    if (wasLeader && handOver) {
      releaseLease();
    }
    if (webhook != null) {
      webhook.close();
      webhook = null;
    }
    client.close();
    if (http != null) {
      http.close();
      http = null;
    }
  }

  /**
   * Gives the Lease up on an orderly stop, so the standby takes over at its next retry instead of
   * waiting for the whole lease to expire. A crashed leader cannot do this; then the lease expires.
   */
  private void releaseLease() {
    try {
      Lease lease = client.leases().inNamespace(settings.leaseNamespace()).withName(Settings.LEASE_NAME).get();
      if (lease != null && lease.getSpec() != null && settings.identity().equals(lease.getSpec().getHolderIdentity())) {
        lease.getSpec().setHolderIdentity("");
        client.resource(lease).update();
        LOG.info("released the leader Lease {}/{}", settings.leaseNamespace(), Settings.LEASE_NAME);
      }
    } catch (KubernetesClientException e) {
      LOG.warn("could not release the leader Lease ({}); the standby takes over when it expires", e.getMessage());
    }
  }

  @Override
  public void close() {
    stop();
  }
}
