package dev.rootlock.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.testing.Manifests;
import dev.rootlock.workload.WorkloadKind;
import dev.rootlock.workload.WorkloadKinds;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code kubectl apply -k deploy/} installs: complete, and the operator's pod hardened. */
class DeployManifestTest {

  @Test
  void rendersEverythingAnInstallNeeds() throws Exception {
    List<JsonNode> objects = Rendered.deploy();
    assertThat(objects).extracting(o -> o.path("kind").asText()).containsExactlyInAnyOrder(
        "Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding",
        "Role", "RoleBinding", "Deployment", "Service", "Service", "MutatingWebhookConfiguration");
    assertThat(Rendered.only(objects, "Namespace").at("/metadata/name").asText()).isEqualTo("rootlock-system");
    // kustomize writes the generator's "maximum: 1000.0" as 1000: numbers compare by value
    assertThat(Rendered.only(objects, "CustomResourceDefinition").at("/spec").equals(
        (x, y) -> x.isNumber() && y.isNumber() ? Double.compare(x.doubleValue(), y.doubleValue()) : x.equals(y) ? 0 : 1,
        Manifests.parse(Files.readString(Path.of("crds/readonlypolicies.rootlock.dev-v1.yml")), JsonNode.class)
            .at("/spec")))
        .as("the CRD installed is the one in crds/").isTrue();
    assertThat(Rendered.only(objects, "Role").at("/metadata/namespace").asText()).isEqualTo("rootlock-system");
  }

  @Test
  void theClusterRoleCoversExactlyTheKindsOfTheWorkloadModel() throws Exception {
    List<RbacIT.Grant> grants = RbacIT.grants(Rendered.deploy());
    for (WorkloadKind<?> kind : WorkloadKinds.WATCHED) {
      List<String> verbs = grants.stream()
          .filter(g -> g.group().equals(kind.group()) && g.resource().equals(kind.plural()))
          .map(RbacIT.Grant::verb).sorted().toList();
      // the kinds it hardens: an informer, patches, a read after a conflict; the ones it reports: read-only
      assertThat(verbs).as(kind.kind()).isEqualTo(kind.isHardened() ? List.of("get", "list", "patch", "watch")
          : List.of("list", "watch"));
    }
    assertThat(grants).filteredOn(g -> g.verb().equals("patch") && !g.resource().contains("readonlypolicies")
        && !g.resource().equals("leases") && !g.resource().equals("mutatingwebhookconfigurations"))
        .extracting(RbacIT.Grant::resource)
        .containsExactlyInAnyOrderElementsOf(WorkloadKinds.HARDENED.stream().map(WorkloadKind::plural).toList());
  }

  @Test
  void operatorPodMeetsTheRestrictedPodSecurityStandardAndRunsReadOnly() throws Exception {
    JsonNode d = Rendered.only(Rendered.deploy(), "Deployment");
    JsonNode pod = d.at("/spec/template/spec");
    assertThat(d.at("/spec/replicas").asInt()).isEqualTo(2);
    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
    assertThat(pod.has("hostNetwork") || pod.has("hostPID") || pod.has("hostIPC")).isFalse();
    for (JsonNode v : pod.path("volumes")) {
      assertThat(v.has("hostPath")).as("no hostPath volumes").isFalse();
    }
    JsonNode c = pod.at("/containers/0");
    assertThat(c.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(c.at("/securityContext/capabilities/drop").toString()).isEqualTo("[\"ALL\"]");
    assertThat(c.at("/securityContext/capabilities").has("add")).isFalse();
    assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(c.at("/resources/requests/memory").asText()).isNotEmpty();
    assertThat(c.at("/resources/limits/memory").asText()).isNotEmpty();
    assertThat(c.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(c.path("args").toString()).contains("--leader-election");
    assertThat(c.path("env").toString()).contains("MaxRAMPercentage").contains("java.io.tmpdir=/tmp")
        .contains("ForkJoinPool.common.parallelism=2")
        .contains("metadata.namespace");
  }

  @Test
  void theOperatorsOwnDeploymentIsCompliantUnderRootlock() throws Exception {
    Deployment d = Manifests.SERIALIZATION.convertValue(Rendered.only(Rendered.deploy(), "Deployment"),
        Deployment.class);
    PolicyRules rules = Manifests.rules("{tmpPaths: [/tmp]}");
    var h = new Hardener().harden(d.getSpec().getTemplate(), rules, RevertRecord.EMPTY);
    assertThat(h.changed()).as("Rootlock's own pod needs no hardening: " + h.changeSummary()).isFalse();
    var tmp = d.getSpec().getTemplate().getSpec().getVolumes().get(0).getEmptyDir();
    assertThat(tmp.getMedium()).isEqualTo("Memory");
    assertThat(tmp.getSizeLimit()).isNotNull();
  }

  @Test
  void theWebhookCanNeverBlockADeployAndNeverSeesWhatItMustNot() throws Exception {
    List<JsonNode> objects = Rendered.deploy();
    JsonNode hook = Rendered.only(objects, "MutatingWebhookConfiguration").at("/webhooks/0");
    assertThat(hook.path("failurePolicy").asText()).isEqualTo("Ignore");
    assertThat(hook.path("timeoutSeconds").asInt()).isEqualTo(3);
    assertThat(hook.path("sideEffects").asText()).isEqualTo("None");
    assertThat(hook.path("reinvocationPolicy").asText()).isEqualTo("IfNeeded");
    assertThat(hook.path("admissionReviewVersions").toString()).isEqualTo("[\"v1\"]");
    assertThat(hook.at("/clientConfig/service/name").asText()).isEqualTo("rootlock-webhook");
    assertThat(hook.at("/clientConfig/service/path").asText()).isEqualTo("/mutate");
    assertThat(hook.at("/namespaceSelector/matchExpressions/0/values").toString())
        .contains("kube-system").contains("rootlock-system");
    assertThat(hook.at("/objectSelector/matchExpressions/0/key").asText()).isEqualTo("rootlock.dev/exclude");
    assertThat(hook.at("/objectSelector/matchExpressions/0/operator").asText()).isEqualTo("NotIn");
    assertThat(hook.at("/matchConditions/0/expression").asText()).contains("rootlock.dev/exclude");
    // exactly the kinds Rootlock hardens, CREATE and UPDATE only
    List<String> resources = new java.util.ArrayList<>();
    hook.path("rules").forEach(r -> {
      assertThat(r.path("operations").toString()).isEqualTo("[\"CREATE\",\"UPDATE\"]");
      r.path("resources").forEach(x -> resources.add(r.at("/apiGroups/0").asText() + "/" + x.asText()));
    });
    assertThat(resources).containsExactlyInAnyOrderElementsOf(WorkloadKinds.HARDENED.stream()
        .map(k -> k.group() + "/" + k.plural()).toList());
    // the Service reaches every replica's webhook port, and an update keeps one serving
    JsonNode service = objects.stream().filter(o -> o.at("/metadata/name").asText().equals("rootlock-webhook"))
        .findFirst().orElseThrow();
    assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("webhook");
    JsonNode d = Rendered.only(objects, "Deployment");
    assertThat(d.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt()).isZero();
    assertThat(d.at("/spec/template/spec/containers/0/ports").toString()).contains("\"webhook\"")
        .contains("9443");
  }

  @Test
  void theCertManagerComponentHandsTheCertificateToCertManager() throws Exception {
    // rendered the way its header tells a user to use it: an overlay of deploy/ with the component
    Path overlay = Path.of("target/cert-manager-overlay");
    Files.createDirectories(overlay);
    Files.writeString(overlay.resolve("kustomization.yaml"), """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources: [../../deploy]
        components: [../../deploy/components/cert-manager]
        """);
    List<JsonNode> objects = Rendered.kustomize(overlay + "/");
    JsonNode certificate = Rendered.only(objects, "Certificate");
    JsonNode service = objects.stream().filter(o -> o.path("kind").asText().equals("Service")
        && o.at("/metadata/name").asText().equals("rootlock-webhook")).findFirst().orElseThrow();
    String namespace = service.at("/metadata/namespace").asText();
    // the name the webhook's clientConfig reaches, the Secret the operator reads
    assertThat(certificate.at("/spec/dnsNames").toString())
        .contains("rootlock-webhook." + namespace + ".svc");
    assertThat(certificate.at("/spec/secretName").asText()).isEqualTo("rootlock-webhook-tls");
    assertThat(Rendered.only(objects, "MutatingWebhookConfiguration").at("/metadata/annotations")
        .path("cert-manager.io/inject-ca-from").asText())
        .isEqualTo(namespace + "/" + certificate.at("/metadata/name").asText());
    assertThat(Rendered.only(objects, "Deployment").at("/spec/template/spec/containers/0/args").toString())
        .contains("--webhook-certificates=cert-manager");
    // without the component the operator issues its own, and nothing asks cert-manager
    List<JsonNode> plain = Rendered.deploy();
    assertThat(plain).noneMatch(o -> o.path("kind").asText().equals("Certificate"));
    assertThat(Rendered.only(plain, "Deployment").at("/spec/template/spec/containers/0/args").toString())
        .doesNotContain("cert-manager");
  }

  @Test
  void monitoringRenders() throws Exception {
    assertThat(Rendered.kustomize("deploy/monitoring/")).extracting(o -> o.path("kind").asText())
        .containsExactlyInAnyOrder("ServiceMonitor", "PrometheusRule", "ConfigMap");
  }
}
