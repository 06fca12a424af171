package dev.rootlock.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rootlock.testing.MockApiServer;
import dev.rootlock.testing.WebhookTls;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The webhook's certificates against the mock API server, and a real TLS handshake with them. */
class WebhookCertificatesIT {
  static final String NS = "rootlock-system";
  final MockApiServer api = new MockApiServer();
  final KubernetesClient client = api.client();
  Instant now = Instant.parse("2026-11-29T12:00:00Z");

  @AfterEach
  void tearDown() {
    api.close();
  }

  WebhookCertificates certificates(ServingCertificate serving) {
    Clock clock = Clock.fixed(now, ZoneOffset.UTC);
    return new WebhookCertificates(client, NS, WebhookCertificates.Source.self, serving, clock);
  }

  Secret secret() {
    return client.secrets().inNamespace(NS).withName(WebhookCertificates.SECRET).get();
  }

  void configuration() {
    client.resource(new MutatingWebhookConfigurationBuilder().withNewMetadata()
        .withName(WebhookCertificates.CONFIGURATION).endMetadata()
        .addNewWebhook().withName("workloads.rootlock.dev").withNewClientConfig().withNewService()
        .withName("rootlock-webhook").withNamespace(NS).withPath("/mutate").endService().endClientConfig()
        .endWebhook().build()).create();
  }

  String secretVersion() {
    Secret s = secret();
    return s == null ? null : s.getMetadata().getResourceVersion();
  }

  @Test
  void issuesOnceServesItAndPutsTheCaIntoTheWebhookConfiguration() throws Exception {
    configuration();
    ServingCertificate serving = new ServingCertificate();
    WebhookCertificates certs = certificates(serving);
    certs.refresh();
    String issued = secretVersion();
    certs.refresh();

    assertThat(issued).isNotNull();
    assertThat(secretVersion()).as("issued once, then left alone").isEqualTo(issued);
    assertThat(serving.isLoaded()).isTrue();
    String ca = WebhookCertificates.text(secret(), "ca.crt");
    String bundle = client.admissionRegistration().v1().mutatingWebhookConfigurations()
        .withName(WebhookCertificates.CONFIGURATION).get().getWebhooks().get(0).getClientConfig().getCaBundle();
    assertThat(new String(Base64.getDecoder().decode(bundle), StandardCharsets.UTF_8)).isEqualTo(ca);
    X509Certificate served = CertificateAuthority.certificate(WebhookCertificates.text(secret(), "tls.crt"));
    served.verify(CertificateAuthority.certificate(ca).getPublicKey());
    assertThat(served.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList())
        .contains("rootlock-webhook.rootlock-system.svc", "rootlock-webhook.rootlock-system.svc.cluster.local");

    // a second replica serves the very same certificate and writes nothing
    ServingCertificate other = new ServingCertificate();
    certificates(other).refresh();
    assertThat(secretVersion()).isEqualTo(issued);
    assertThat(other.notAfter()).isEqualTo(serving.notAfter());
  }

  @Test
  void anExtraHostIsAddedToTheServingCertificateAsAnIpAddressKeepingTheCa() throws Exception {
    certificates(new ServingCertificate()).refresh();
    String ca = WebhookCertificates.text(secret(), "ca.crt");
    String cert = WebhookCertificates.text(secret(), "tls.crt");

    // restarted with --webhook-host 127.0.0.1 (a webhook url outside the cluster): the stored
    // certificate does not name it, so it is renewed under the same CA
    new WebhookCertificates(client, NS, WebhookCertificates.Source.self, new ServingCertificate(),
        Clock.fixed(now, ZoneOffset.UTC), List.of("127.0.0.1", "rootlock.example")).refresh();
    assertThat(WebhookCertificates.text(secret(), "tls.crt")).isNotEqualTo(cert);
    assertThat(WebhookCertificates.text(secret(), "ca.crt")).isEqualTo(ca);
    X509Certificate served = CertificateAuthority.certificate(WebhookCertificates.text(secret(), "tls.crt"));
    // type 7 is iPAddress, 2 dNSName (RFC 5280): a TLS client matches an IP only against an iPAddress
    assertThat(served.getSubjectAlternativeNames()).contains(List.of(7, "127.0.0.1"), List.of(2, "rootlock.example"),
        List.of(2, "rootlock-webhook.rootlock-system.svc"));
  }

  @Test
  void renewsTheServingCertificateBeforeItExpiresKeepingTheCa() throws Exception {
    certificates(new ServingCertificate()).refresh();
    String ca = WebhookCertificates.text(secret(), "ca.crt");
    String cert = WebhookCertificates.text(secret(), "tls.crt");

    now = now.plus(CertificateAuthority.SERVING_VALIDITY).minus(WebhookCertificates.RENEW_BEFORE).minusSeconds(3600);
    certificates(new ServingCertificate()).refresh();
    assertThat(WebhookCertificates.text(secret(), "tls.crt")).as("not due yet").isEqualTo(cert);

    now = now.plus(Duration.ofHours(2));
    ServingCertificate serving = new ServingCertificate();
    certificates(serving).refresh();
    assertThat(WebhookCertificates.text(secret(), "tls.crt")).isNotEqualTo(cert);
    assertThat(WebhookCertificates.text(secret(), "ca.crt")).as("the API server's trust is unchanged").isEqualTo(ca);
    assertThat(serving.notAfter()).isEqualTo(now.plus(CertificateAuthority.SERVING_VALIDITY)
        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  }

  @Test
  void aCaNearItsEndIsReplacedAndTheBundleTrustsBoth() throws Exception {
    certificates(new ServingCertificate()).refresh();
    String oldCa = WebhookCertificates.text(secret(), "ca.crt");
    now = now.plus(CertificateAuthority.CA_VALIDITY).minus(Duration.ofDays(100));
    certificates(new ServingCertificate()).refresh();
    String bundle = WebhookCertificates.text(secret(), "ca.crt");
    assertThat(CertificateAuthority.certificates(bundle)).hasSize(2);
    assertThat(bundle).endsWith(oldCa);
    CertificateAuthority.certificate(WebhookCertificates.text(secret(), "tls.crt"))
        .verify(CertificateAuthority.certificates(bundle).get(0).getPublicKey());
  }

  @Test
  void certManagerModeOnlyReadsTheSecretAndSaysWhoWritesIt() {
    WebhookCertificates certs = new WebhookCertificates(client, NS, WebhookCertificates.Source.certManager,
        new ServingCertificate(), Clock.systemUTC());
    assertThatThrownBy(certs::refresh).hasMessageContaining("cert-manager writes it");
    assertThat(secret()).isNull();
  }

  @Test
  void theServerAnswersOverTlsThatTrustsTheCaAndPicksUpARenewal() throws Exception {
    // issued 300 days ago: still valid now (the handshake checks the real clock), and due for renewal
    now = Instant.now().minus(Duration.ofDays(300));
    ServingCertificate serving = new ServingCertificate();
    certificates(serving).refresh();
    ObjectMapper json = new ObjectMapper();
    try (AdmissionServer server = new AdmissionServer(0, serving, request -> Responses.allow(request, null), 2)) {
      HttpClient https = HttpClient.newBuilder().sslContext(WebhookTls.trusting(
          WebhookCertificates.text(secret(), "ca.crt"), "rootlock-webhook.rootlock-system.svc")).build();
      String review = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u1\"}}";
      HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port()
          + "/mutate")).POST(HttpRequest.BodyPublishers.ofString(review)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode body = json.readTree(r.body());
      assertThat(body.at("/response/uid").asText()).isEqualTo("u1");
      assertThat(body.at("/response/allowed").asBoolean()).isTrue();
      assertThat(body.at("/response/patch").isMissingNode()).isTrue();

      HttpResponse<String> bad = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port()
          + "/mutate")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(bad.statusCode()).isEqualTo(400);

      // renewed while serving: the next handshake presents the new certificate
      javax.net.ssl.SSLContext tls = WebhookTls.trusting(WebhookCertificates.text(secret(), "ca.crt"),
          "rootlock-webhook.rootlock-system.svc");
      java.math.BigInteger before = servedSerial(tls, server.port());
      now = Instant.now();
      certificates(serving).refresh();
      assertThat(servedSerial(tls, server.port())).isNotEqualTo(before)
          .isEqualTo(CertificateAuthority.certificate(WebhookCertificates.text(secret(), "tls.crt")).getSerialNumber());
    }
  }

  static java.math.BigInteger servedSerial(javax.net.ssl.SSLContext tls, int port) throws Exception {
    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket("localhost",
        port)) {
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }
}
