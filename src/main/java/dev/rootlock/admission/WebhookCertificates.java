package dev.rootlock.admission;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the webhook's TLS material in one Secret of the operator's namespace and serves it.
 * With {@link Source#self} (the default) the operator issues a CA and a serving certificate,
 * renews the serving certificate well before it expires, and puts the CA into the
 * MutatingWebhookConfiguration's {@code caBundle}; with {@link Source#certManager} cert-manager
 * writes the Secret and injects the CA, and the operator only reads it. Every replica runs this:
 * two that race to create or renew are settled by the API server (one write wins, the other
 * reads it), so all serve the same certificate.
 */
public final class WebhookCertificates {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookCertificates.class);
  public static final String SECRET = "rootlock-webhook-tls";
  public static final String CONFIGURATION = "rootlock-webhook";
  public static final String SERVICE = "rootlock-webhook";
  /** Renewed when less than this is left, so a missed check or two changes nothing. */
  static final Duration RENEW_BEFORE = Duration.ofDays(90);
  /** A CA this close to its end is replaced; the bundle then trusts the old and the new one. */
  static final Duration CA_RENEW_BEFORE = Duration.ofDays(365);
  static final String CA_CERT = "ca.crt";
  static final String CA_KEY = "ca.key";
  static final String TLS_CERT = "tls.crt";
  static final String TLS_KEY = "tls.key";

  /** Who writes the Secret. */
  public enum Source { self, certManager }

  private final KubernetesClient client;
  private final String namespace;
  private final Source source;
  private final ServingCertificate serving;
  private final Clock clock;
  private final List<String> hosts;
  private boolean warnedNoConfiguration;

  public WebhookCertificates(KubernetesClient client, String namespace, Source source, ServingCertificate serving,
      Clock clock) {
    this(client, namespace, source, serving, clock, List.of());
  }

  /** @param hosts names the certificate is for besides the Service's ({@code --webhook-host}) */
  public WebhookCertificates(KubernetesClient client, String namespace, Source source, ServingCertificate serving,
      Clock clock, List<String> hosts) {
    this.client = client;
    this.namespace = namespace;
    this.source = source;
    this.serving = serving;
    this.clock = clock;
    this.hosts = List.copyOf(hosts);
  }

  /**
   * The names the serving certificate is for: the Service, short and fully qualified, then the
   * extra hosts (DNS names or IP addresses) a webhook configuration's {@code url} may use.
   */
  public List<String> dnsNames() {
    List<String> names = new java.util.ArrayList<>(List.of(SERVICE + "." + namespace + ".svc",
        SERVICE + "." + namespace + ".svc.cluster.local", SERVICE + "." + namespace, SERVICE));
    hosts.stream().filter(h -> !names.contains(h)).forEach(names::add);
    return names;
  }

  /**
   * Makes sure a current certificate is in the Secret (self) and served, and the CA is in the
   * webhook configuration. Safe to call often: it writes only what is missing or due.
   *
   * @throws IOException when the Secret holds material that cannot be served (cert-manager)
   */
  public void refresh() throws IOException {
    Secret secret = secrets().get();
    if (source == Source.self) {
      secret = ensureIssued(secret, 0);
      ensureCaBundle(text(secret, CA_CERT));
    } else if (secret == null) {
      throw new IOException("Secret " + namespace + "/" + SECRET + " does not exist yet; cert-manager writes it "
          + "(deploy/components/cert-manager)");
    }
    serving.load(text(secret, TLS_CERT), text(secret, TLS_KEY));
  }

  private Secret ensureIssued(Secret secret, int attempt) throws IOException {
    Instant now = clock.instant();
    CertificateAuthority.Material fresh = wanted(secret, now);
    if (fresh == null) {
      return secret;
    }
    Secret desired = new SecretBuilder().withNewMetadata().withName(SECRET).withNamespace(namespace)
        .addToLabels("app.kubernetes.io/managed-by", "rootlock").endMetadata()
        .withType("kubernetes.io/tls")
        .withStringData(Map.of(CA_CERT, fresh.caCert(), CA_KEY, fresh.caKey(), TLS_CERT, fresh.cert(),
            TLS_KEY, fresh.key()))
        .build();
    try {
      if (secret == null) {
        Secret created = client.resource(desired).create();
        LOG.info("webhook certificate issued for {} (Secret {}/{})", dnsNames().get(0), namespace, SECRET);
        return created;
      }
      desired.getMetadata().setResourceVersion(secret.getMetadata().getResourceVersion());
      Secret updated = client.resource(desired).update();
      LOG.info("webhook certificate renewed (Secret {}/{})", namespace, SECRET);
      return updated;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409 && attempt == 0) {
        return ensureIssued(secrets().get(), 1); // another replica wrote it first: use theirs
      }
      throw new IOException("cannot write Secret " + namespace + "/" + SECRET + " (HTTP " + e.getCode() + "): "
          + e.getMessage(), e);
    }
  }

  /** New material when the Secret's is missing, unreadable, for other names, or due; null when it holds. */
  CertificateAuthority.Material wanted(Secret secret, Instant now) {
    String ca = text(secret, CA_CERT);
    String caKey = text(secret, CA_KEY);
    String cert = text(secret, TLS_CERT);
    try {
      if (ca == null || caKey == null || cert == null || text(secret, TLS_KEY) == null) {
        return CertificateAuthority.issue(dnsNames(), now);
      }
      X509Certificate caCert = CertificateAuthority.certificate(ca);
      X509Certificate served = CertificateAuthority.certificate(cert);
      if (caCert.getNotAfter().toInstant().isBefore(now.plus(CA_RENEW_BEFORE))) {
        CertificateAuthority.Material next = CertificateAuthority.issue(dnsNames(), now);
        // both CAs in the bundle: API servers that still have the old one keep trusting us
        return new CertificateAuthority.Material(next.caCert() + ca, next.caKey(), next.cert(), next.key());
      }
      if (served.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE)) || !names(served).containsAll(dnsNames())) {
        String newestCa = ca.substring(0, ca.indexOf("-----END CERTIFICATE-----") + 26);
        CertificateAuthority.Material renewed = CertificateAuthority.renew(newestCa, caKey, dnsNames(), now);
        return new CertificateAuthority.Material(ca, caKey, renewed.cert(), renewed.key());
      }
      return null;
    } catch (IOException | CertificateException | IllegalStateException e) {
      LOG.warn("Secret {}/{} holds material that cannot be used ({}); issuing new", namespace, SECRET, e.getMessage());
      return CertificateAuthority.issue(dnsNames(), now);
    }
  }

  private void ensureCaBundle(String caPem) {
    MutatingWebhookConfiguration config = client.admissionRegistration().v1().mutatingWebhookConfigurations()
        .withName(CONFIGURATION).get();
    if (config == null) {
      if (!warnedNoConfiguration) {
        LOG.warn("MutatingWebhookConfiguration {} not found: the webhook serves, but the API server does not call it "
            + "(kubectl apply -k deploy/)", CONFIGURATION);
        warnedNoConfiguration = true;
      }
      return;
    }
    String bundle = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8));
    ArrayNode ops = JsonNodeFactory.instance.arrayNode();
    List<MutatingWebhook> hooks = config.getWebhooks() == null ? List.of() : config.getWebhooks();
    for (int i = 0; i < hooks.size(); i++) {
      var cc = hooks.get(i).getClientConfig();
      if (cc != null && !bundle.equals(cc.getCaBundle())) {
        ops.addObject().put("op", cc.getCaBundle() == null ? "add" : "replace")
            .put("path", "/webhooks/" + i + "/clientConfig/caBundle").put("value", bundle);
      }
    }
    if (ops.isEmpty()) {
      return;
    }
    // pinned to what was read: a concurrent edit makes this a 409, and the next refresh looks again
    ops.insertObject(0).put("op", "replace").put("path", "/metadata/resourceVersion")
        .put("value", config.getMetadata().getResourceVersion());
    client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(CONFIGURATION)
        .patch(PatchContext.of(PatchType.JSON), ops.toString());
    LOG.info("caBundle of MutatingWebhookConfiguration {} set", CONFIGURATION);
  }

  private static Set<String> names(X509Certificate c) throws CertificateException {
    Set<String> out = new HashSet<>();
    if (c.getSubjectAlternativeNames() != null) {
      c.getSubjectAlternativeNames().forEach(n -> out.add(String.valueOf(n.get(1))));
    }
    return out;
  }

  private io.fabric8.kubernetes.client.dsl.Resource<Secret> secrets() {
    return client.secrets().inNamespace(namespace).withName(SECRET);
  }

  /** A key of the Secret as text, from data (base64) or stringData; null when absent. */
  public static String text(Secret s, String key) {
    if (s == null) {
      return null;
    }
    if (s.getData() != null && s.getData().get(key) != null) {
      return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8);
    }
    return s.getStringData() == null ? null : s.getStringData().get(key);
  }
}
