package dev.rootlock.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.api.Annotations;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.operator.RootlockOperator;
import dev.rootlock.operator.Settings;
import dev.rootlock.testing.Cluster;
import dev.rootlock.testing.Corpus;
import dev.rootlock.testing.Manifests;
import dev.rootlock.testing.WebhookTls;
import dev.rootlock.workload.WorkloadKind;
import dev.rootlock.workload.WorkloadKinds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.zjsonpatch.JsonPatch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admission webhook as the API server calls it: real AdmissionReviews over HTTPS (trusting
 * the CA the operator generated and put into the webhook configuration), built from every
 * workload in ../shared/corpus. The patch it returns makes exactly what the reconcile makes of
 * the same object, and an object created patched is left alone by the reconcile.
 */
class AdmissionIT {
  static final String OPERATOR_NS = "rootlock-system";
  static final ObjectMapper JSON = new ObjectMapper();
  Cluster cluster;
  RootlockOperator rootlock;
  HttpClient https;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new Cluster();
    cluster.create(new MutatingWebhookConfigurationBuilder().withNewMetadata()
        .withName(WebhookCertificates.CONFIGURATION).endMetadata()
        .addNewWebhook().withName("workloads.rootlock.dev").withNewClientConfig().withNewService()
        .withName(WebhookCertificates.SERVICE).withNamespace(OPERATOR_NS).withPath("/mutate").endService()
        .endClientConfig().endWebhook().build());
    for (String ns : List.of("admitted", "reconciled")) {
      cluster.create(policy("p", ns, SEEDING_SPEC));
    }
    cluster.create(policy("audit", "audited", "{mode: Audit}"));
    cluster.create(policy("narrow", "narrow", "{selector: {matchLabels: {tier: web}}}"));
    rootlock = cluster.startOperator(Settings.defaults().withWebhook(
        new Settings.WebhookOptions(true, 0, WebhookCertificates.Source.self, OPERATOR_NS)));
    await().atMost(Duration.ofSeconds(20)).until(() -> rootlock.readiness().ok());
    String bundle = cluster.client().admissionRegistration().v1().mutatingWebhookConfigurations()
        .withName(WebhookCertificates.CONFIGURATION).get().getWebhooks().get(0).getClientConfig().getCaBundle();
    https = HttpClient.newBuilder().sslContext(WebhookTls.trusting(new String(Base64.getDecoder().decode(bundle),
        StandardCharsets.UTF_8), WebhookCertificates.SERVICE + "." + OPERATOR_NS + ".svc")).build();
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  /** Every workload gets a seeder too (the image volume method, the one with the most to agree on). */
  static final String SEEDING_SPEC = "{rollout: {maxInProgress: 1000}, seedPaths: [/etc/app/conf.d], "
      + "seed: {method: ImageVolume}}";

  static ReadOnlyPolicy policy(String name, String namespace, String spec) {
    ReadOnlyPolicy p = dev.rootlock.testing.Fixtures.policy(name, spec);
    p.getMetadata().setNamespace(namespace);
    return p;
  }

  /** Sends one review; the JSON Patch it answers with (an empty array for none). */
  JsonNode review(String operation, JsonNode object, JsonNode old, boolean dryRun) throws Exception {
    WorkloadKind<?> kind = WorkloadKinds.of(object.path("apiVersion").asText(), object.path("kind").asText())
        .orElseThrow();
    ObjectNode request = JSON.createObjectNode();
    request.put("uid", UUID.randomUUID().toString());
    request.putObject("kind").put("group", kind.group()).put("version", kind.version()).put("kind", kind.kind());
    request.putObject("resource").put("group", kind.group()).put("version", kind.version())
        .put("resource", kind.plural());
    request.put("operation", operation);
    request.put("namespace", object.at("/metadata/namespace").asText());
    request.put("name", object.at("/metadata/name").asText());
    request.set("object", object);
    if (old != null) {
      request.set("oldObject", old);
    }
    request.put("dryRun", dryRun);
    ObjectNode review = JSON.createObjectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    review.set("request", request);
    HttpResponse<String> r = https.send(HttpRequest.newBuilder(URI.create("https://localhost:"
        + rootlock.webhookPort() + "/mutate")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(review.toString())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode response = JSON.readTree(r.body()).get("response");
    assertThat(response.path("uid").asText()).isEqualTo(request.path("uid").asText());
    assertThat(response.path("allowed").asBoolean()).as("the webhook never denies").isTrue();
    if (!response.has("patch")) {
      return JSON.createArrayNode();
    }
    assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
    return JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
  }

  /** Every hardened kind in the corpus, renamed uniquely into {@code namespace}. */
  static Map<String, ObjectNode> corpus(String namespace) {
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    int i = 0;
    for (Corpus.Document d : Corpus.documents()) {
      var kind = WorkloadKinds.of(d.node().path("apiVersion").asText(), d.kind());
      if (kind.isEmpty() || !kind.get().isHardened()) {
        continue;
      }
      ObjectNode o = d.node().deepCopy();
      // an old manifest's apps/v1beta1 reaches a webhook as apps/v1 (matchPolicy: Equivalent)
      o.put("apiVersion", kind.get().apiVersion());
      String name = (o.at("/metadata/name").asText() + "-" + i++).toLowerCase();
      ObjectNode meta = (ObjectNode) o.get("metadata");
      meta.put("name", name.length() > 52 ? name.substring(name.length() - 52) : name);
      meta.put("namespace", namespace);
      o.remove("status");
      out.put(kind.get().kind() + "/" + meta.get("name").asText(), o);
    }
    return out;
  }

  @Test
  void theWebhookMakesWhatTheReconcileMakesAndTheReconcileThenWritesNothing() throws Exception {
    Map<String, ObjectNode> admitted = new LinkedHashMap<>();
    int patched = 0;
    for (var e : corpus("admitted").entrySet()) {
      JsonNode patch = review("CREATE", e.getValue(), null, false);
      patched += patch.isEmpty() ? 0 : 1; // metrics-server, for one, is read-only with /tmp mounted already
      assertThat(withoutStartTime(review("CREATE", e.getValue(), null, true)))
          .as(e.getKey() + ": a dry run gets the same patch (but for the time it is asked)")
          .isEqualTo(withoutStartTime(patch));
      JsonNode after = JsonPatch.apply(patch, e.getValue());
      assertThat(review("CREATE", after, null, false)).as(e.getKey() + ": reinvoked, no patch").isEmpty();
      admitted.put(e.getKey(), (ObjectNode) after);
    }
    assertThat(admitted).as("the corpus' Deployments, StatefulSets and DaemonSets").hasSizeGreaterThan(50);
    assertThat(patched).as("most of them need hardening").isGreaterThan(45);

    Map<String, ObjectNode> originals = corpus("reconciled");
    originals.values().forEach(o -> create(o));
    admitted.values().forEach(o -> create(o));
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      assertThat(cluster.status("reconciled", "p").getCompliant()).isEqualTo(originals.size());
      assertThat(cluster.status("admitted", "p").getCompliant()).isEqualTo(admitted.size());
    });

    List<String> differences = new ArrayList<>();
    for (String key : admitted.keySet()) {
      HasMetadata byWebhook = get(key, "admitted");
      HasMetadata byReconcile = get(key, "reconciled");
      WorkloadKind<?> kind = WorkloadKinds.named(key.substring(0, key.indexOf('/')));
      if (!JsonPatches.tree(kind.template(byWebhook)).equals(JsonPatches.tree(kind.template(byReconcile)))) {
        differences.add(key + ": template");
      }
      for (String a : List.of(Annotations.OWNER, Annotations.REVERT)) {
        if (!String.valueOf(byWebhook.getMetadata().getAnnotations().get(a))
            .equals(String.valueOf(byReconcile.getMetadata().getAnnotations().get(a)))) {
          differences.add(key + ": " + a);
        }
      }
    }
    assertThat(differences).as("what the webhook made differs from what the reconcile made").isEmpty();
    List<dev.rootlock.plan.PlanPolicy> planPolicies = dev.rootlock.plan.PlanPolicy.load(List.of(
        new dev.rootlock.plan.SourceDocument("policy", 1, "", "", JsonPatches.tree(policy("p", "admitted",
            SEEDING_SPEC)))));
    dev.rootlock.plan.Planner planner = new dev.rootlock.plan.Planner(planPolicies);
    Map<String, ObjectNode> planInputs = corpus("admitted");
    int seeded = 0;
    for (String key : admitted.keySet()) {
      JsonNode planned = planner.plan(List.of(new dev.rootlock.plan.SourceDocument(key, 1, "", "",
          planInputs.get(key)))).documents().get(0).planned();
      WorkloadKind<?> kind = WorkloadKinds.named(key.substring(0, key.indexOf('/')));
      JsonNode byWebhook = JsonPatches.tree(kind.template(get(key, "admitted")));
      if (!byWebhook.equals(JsonPatches.tree(kind.template(cluster.client().getKubernetesSerialization()
          .convertValue(planned, get(key, "admitted").getClass()))))) {
        differences.add(key + ": plan's template");
      }
      seeded += byWebhook.at("/spec/initContainers/0/name").asText().startsWith("rootlock-seed-") ? 1 : 0;
    }
    assertThat(differences).as("what plan makes differs from what the webhook made").isEmpty();
    assertThat(seeded).as("the seeders are in what all three agree on").isGreaterThan(45);
    List<String> writes = cluster.api().exchanges().stream().filter(e -> e.method().equals("PATCH")
        && e.path().contains("/namespaces/admitted/") && !e.path().contains("/readonlypolicies/"))
        .map(e -> e.path().replaceAll("\\?.*", "")).toList();
    assertThat(writes).as("the reconcile writes nothing to a workload the webhook hardened, of any kind "
        + "(a DaemonSet's finished rollout is remembered, not written down)").isEmpty();
    for (var e : admitted.entrySet()) {
      HasMetadata now = get(e.getKey(), "admitted");
      assertThat(now.getMetadata().getGeneration()).as(e.getKey() + ": no second rollout").isEqualTo(1L);
    }
  }

  @Test
  void auditExcludedAndUnselectedObjectsGetNoPatch() throws Exception {
    ObjectNode deployment = (ObjectNode) JsonPatches.tree(dev.rootlock.testing.Fixtures.web("web"));
    ObjectNode audited = deployment.deepCopy();
    ((ObjectNode) audited.get("metadata")).put("namespace", "audited");
    assertThat(review("CREATE", audited, null, false)).as("Audit: reported, never written").isEmpty();

    ObjectNode excluded = deployment.deepCopy();
    ((ObjectNode) excluded.get("metadata")).put("namespace", "admitted").putObject("annotations")
        .put(Annotations.EXCLUDE, "true");
    assertThat(review("CREATE", excluded, null, false)).isEmpty();

    ObjectNode unselected = deployment.deepCopy();
    ((ObjectNode) unselected.get("metadata")).put("namespace", "narrow").putObject("labels").put("tier", "db");
    assertThat(review("CREATE", unselected, null, false)).isEmpty();

    ObjectNode noPolicy = deployment.deepCopy();
    ((ObjectNode) noPolicy.get("metadata")).put("namespace", "elsewhere");
    assertThat(review("CREATE", noPolicy, null, false)).isEmpty();

    ObjectNode selected = deployment.deepCopy();
    ((ObjectNode) selected.get("metadata")).put("namespace", "narrow");
    assertThat(review("CREATE", selected, null, false)).as("the narrow policy does select tier: web").isNotEmpty();
  }

  @Test
  void anUpdateThatUndoesTheHardeningIsHardenedAgainInTheSameRequest() throws Exception {
    ObjectNode created = (ObjectNode) JsonPatches.tree(dev.rootlock.testing.Fixtures.web("web"));
    ((ObjectNode) created.get("metadata")).put("namespace", "admitted");
    JsonNode hardened = JsonPatch.apply(review("CREATE", created, null, false), created);
    ObjectNode stored = hardened.deepCopy();
    ((ObjectNode) stored.get("metadata")).put("generation", 1).put("resourceVersion", "7");
    // a deploy tool re-applies the un-hardened template (annotations kept, as kubectl apply does)
    ObjectNode update = stored.deepCopy();
    update.set("spec", created.get("spec").deepCopy());
    Thread.sleep(10); // a rollout started now would carry a later start time than the stored record
    JsonNode patch = review("UPDATE", update, stored, false);
    assertThat(patch).isNotEmpty();
    JsonNode after = JsonPatch.apply(patch, update);
    assertThat(after.at("/spec/template")).isEqualTo(hardened.at("/spec/template"));
    assertThat(after.at("/metadata/annotations/" + Annotations.REVERT.replace("/", "~1")))
        .isEqualTo(hardened.at("/metadata/annotations/" + Annotations.REVERT.replace("/", "~1")));
    // the stored template stays as it was (no new generation), so no rollout starts: the rollout
    // record is kept, or the reconcile would wait for new pods that never come (found on a real API server)
    String rollout = "/metadata/annotations/" + Annotations.ROLLOUT.replace("/", "~1");
    assertThat(after.at(rollout)).isEqualTo(stored.at(rollout));
    // an update that leaves the template as hardened needs nothing
    assertThat(review("UPDATE", stored, stored, false)).isEmpty();
  }

  @Test
  void aCertificateDueForRenewalIsRenewedAtStartUnderTheSameCa() throws Exception {
    cluster.stopOperator();
    var secrets = cluster.client().secrets().inNamespace(OPERATOR_NS).withName(WebhookCertificates.SECRET);
    String ca = WebhookCertificates.text(secrets.get(), "ca.crt");
    String caKey = WebhookCertificates.text(secrets.get(), "ca.key");
    // a serving certificate issued 300 days ago: 65 days left, inside the 90-day renewal window
    var old = CertificateAuthority.renew(ca, caKey, List.of(WebhookCertificates.SERVICE + "." + OPERATOR_NS + ".svc"),
        java.time.Instant.now().minus(Duration.ofDays(300)));
    secrets.edit(sec -> {
      sec.getData().put("tls.crt", Base64.getEncoder().encodeToString(old.cert().getBytes(StandardCharsets.UTF_8)));
      sec.getData().put("tls.key", Base64.getEncoder().encodeToString(old.key().getBytes(StandardCharsets.UTF_8)));
      return sec;
    });
    rootlock = cluster.startOperator(Settings.defaults().withWebhook(
        new Settings.WebhookOptions(true, 0, WebhookCertificates.Source.self, OPERATOR_NS)));
    String renewed = WebhookCertificates.text(secrets.get(), "tls.crt");
    assertThat(renewed).isNotEqualTo(old.cert());
    assertThat(WebhookCertificates.text(secrets.get(), "ca.crt")).isEqualTo(ca);
    assertThat(CertificateAuthority.certificate(renewed).getNotAfter().toInstant())
        .isAfter(java.time.Instant.now().plus(Duration.ofDays(300)));
  }

  /** The patch with the rollout record's start time (when the request was answered) blanked. */
  static JsonNode withoutStartTime(JsonNode patch) {
    JsonNode copy = patch.deepCopy();
    String key = "/metadata/annotations/" + Annotations.ROLLOUT.replace("/", "~1");
    for (JsonNode op : copy) {
      String path = op.path("path").asText();
      if (path.equals(key)) {
        ((ObjectNode) op).put("value", blankStart(op.get("value").asText()));
      } else if (path.equals("/metadata/annotations") && op.path("value").has(Annotations.ROLLOUT)) {
        ((ObjectNode) op.get("value")).put(Annotations.ROLLOUT, blankStart(op.get("value").get(Annotations.ROLLOUT)
            .asText()));
      }
    }
    return copy;
  }

  private static String blankStart(String record) {
    try {
      return ((ObjectNode) JSON.readTree(record)).put("started", "-").toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void create(ObjectNode o) {
    cluster.client().resource(Manifests.SERIALIZATION.convertValue(o, GenericKubernetesResource.class)).create();
  }

  private HasMetadata get(String key, String namespace) {
    WorkloadKind<?> kind = WorkloadKinds.named(key.substring(0, key.indexOf('/')));
    return cluster.client().resources(kind.type()).inNamespace(namespace).withName(key.substring(key.indexOf('/') + 1))
        .get();
  }
}
