package dev.rootlock.admission;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.engine.SeedPlatform;
import dev.rootlock.operator.Settings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.io.IOException;
import java.net.BindException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission webhook as one replica runs it: its certificate (issued or read, renewed on a
 * timer), its own informer on ReadOnlyPolicies (every replica serves, leader or not, and a
 * standby has no controller caches), and the HTTPS server. Reviews are answered from that
 * informer and the object itself: no API call on the request path.
 */
public final class Webhook implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Webhook.class);
  /** How often the certificate is looked at; it is renewed 90 days before it expires. */
  static final Duration REFRESH = Duration.ofHours(1);
  /** Reviews served at once: the API server calls with a 3 s timeout, and a review takes milliseconds. */
  private static final int THREADS = 4;

  private final List<SharedIndexInformer<ReadOnlyPolicy>> policies;
  private final ServingCertificate serving;
  private final AdmissionServer server;
  private final ScheduledExecutorService timer;

  private Webhook(List<SharedIndexInformer<ReadOnlyPolicy>> policies, ServingCertificate serving,
      AdmissionServer server, ScheduledExecutorService timer) {
    this.policies = policies;
    this.serving = serving;
    this.server = server;
    this.timer = timer;
  }

  /** Why the webhook could not start, with the fix. */
  public static final class StartException extends Exception {
    StartException(String message, Throwable cause) {
      super(message, cause);
    }

    /** True when the port was taken (so the message names the option to change). */
    public boolean portInUse() {
      return getCause() instanceof BindException;
    }
  }

  /**
   * Gets the certificate, starts the policy informer and serves.
   *
   * @param settings its port, who writes the certificate, the operator's namespace (where the TLS
   *     Secret lives) and the extra names the certificate is for
   * @param watched the namespaces the operator watches; empty for all
   * @param seeding the platform the reconcile hardens for (seeded paths), so both write the same template
   * @throws StartException naming the cause: the Secret cannot be read or written, the port is taken
   */
  public static Webhook start(KubernetesClient client, Settings.WebhookOptions settings, Set<String> watched, Clock clock,
      SeedPlatform seeding) throws StartException {
    int port = settings.port();
    WebhookCertificates.Source source = settings.certificates();
    String namespace = settings.namespace();
    ServingCertificate serving = new ServingCertificate();
    WebhookCertificates certificates = new WebhookCertificates(client, namespace, source, serving, clock,
        settings.hosts());
    try {
      certificates.refresh();
    } catch (IOException | RuntimeException e) {
      throw new StartException("cannot start the admission webhook: its TLS certificate is not available ("
          + e.getMessage() + "); check the RBAC on Secret " + namespace + "/" + WebhookCertificates.SECRET
          + (source == WebhookCertificates.Source.certManager ? " and that cert-manager issued it" : "")
          + ", or run with --webhook=false", e);
    }
    List<SharedIndexInformer<ReadOnlyPolicy>> informers = new ArrayList<>();
    if (watched.isEmpty()) {
      informers.add(client.resources(ReadOnlyPolicy.class).inAnyNamespace().runnableInformer(0));
    } else {
      watched.forEach(ns -> informers.add(client.resources(ReadOnlyPolicy.class).inNamespace(ns)
          .runnableInformer(0)));
    }
    informers.forEach(SharedIndexInformer::start);
    AdmissionHardening admission = new AdmissionHardening(ns -> policiesIn(informers, ns), clock, seeding);
    AdmissionServer server;
    try {
      server = new AdmissionServer(port, serving, new WorkloadReviewer(admission), THREADS);
    } catch (IOException e) {
      informers.forEach(SharedIndexInformer::stop);
      throw new StartException("cannot listen on port " + port + " (--webhook-port): " + e, e);
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "rootlock-webhook-certificates");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(() -> {
      try {
        certificates.refresh();
      } catch (IOException | RuntimeException e) {
        LOG.warn("webhook certificate not refreshed ({}); serving the one loaded until the next try", e.getMessage());
      }
    }, REFRESH.toMinutes(), REFRESH.toMinutes(), TimeUnit.MINUTES);
    LOG.info("admission webhook serving /mutate on port {} (certificate until {})", server.port(), serving.notAfter());
    return new Webhook(informers, serving, server, timer);
  }

  private static List<ReadOnlyPolicy> policiesIn(List<SharedIndexInformer<ReadOnlyPolicy>> informers, String ns) {
    List<ReadOnlyPolicy> out = new ArrayList<>();
    informers.forEach(i -> out.addAll(i.getIndexer().byIndex(Cache.NAMESPACE_INDEX, ns)));
    return out;
  }

  /** True once it can answer: a certificate loaded and the policies synced. */
  public boolean isServing() {
    return serving.isLoaded() && policies.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    server.close();
    policies.forEach(SharedIndexInformer::stop);
  }
}
