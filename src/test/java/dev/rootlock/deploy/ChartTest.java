package dev.rootlock.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.Rootlock;
import dev.rootlock.admission.WebhookCertificates;
import dev.rootlock.cli.RunCommand;
import dev.rootlock.operator.Settings;
import dev.rootlock.reports.ReportFormat;
import dev.rootlock.testing.Manifests;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The Helm chart in deploy/chart/rootlock: its versions and copied files (no helm needed), and
 * with the real helm: {@code helm lint --strict}, the schema refusing typos by name, and what the
 * values change in the rendered objects. That the defaults install exactly deploy/ is
 * {@link ChartDriftTest}; which values exist, {@link ChartValuesDocumentedTest}.
 */
class ChartTest {

  @Test
  void theChartsVersionsAreTheProjectsReleaseAndDeploysImageTag() throws Exception {
    Matcher m = Pattern.compile("<artifactId>rootlock-operator</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(Path.of("pom.xml")));
    assertThat(m.find()).isTrue();
    String release = m.group(1).replaceFirst("-SNAPSHOT$", "");
    JsonNode chart = yaml(HelmChart.CHART.resolve("Chart.yaml"));
    assertThat(chart.path("appVersion").asText()).as("Chart.yaml appVersion: pom.xml's version").isEqualTo(release);
    assertThat(chart.path("version").asText()).as("Chart.yaml version").isEqualTo(release);
    assertThat(yaml(Path.of("deploy/kustomization.yaml")).at("/images/0/newTag").asText())
        .as("deploy/'s image tag, the chart's default tag").isEqualTo(release);
  }

  @Test
  void theChartsCopiesAreTheFilesTheyCopy() throws Exception {
    assertThat(Files.readString(HelmChart.CHART.resolve("crds/readonlypolicies.rootlock.dev-v1.yml")))
        .as("the chart's CRD is crds/'s; refresh it with: cp crds/readonlypolicies.rootlock.dev-v1.yml %s/crds/",
            HelmChart.CHART)
        .isEqualTo(Files.readString(Path.of("crds/readonlypolicies.rootlock.dev-v1.yml")));
    try (var files = Files.list(HelmChart.CHART.resolve("crds"))) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).as("the chart's crds/")
          .containsExactly("readonlypolicies.rootlock.dev-v1.yml");
    }
    assertThat(Files.readString(HelmChart.CHART.resolve("files/grafana-dashboard.json")))
        .as("refresh with: cp deploy/monitoring/grafana-dashboard.json %s/files/", HelmChart.CHART)
        .isEqualTo(Files.readString(Path.of("deploy/monitoring/grafana-dashboard.json")));
  }

  @Test
  void theSchemaClosesEveryObjectSoATypoIsNeverIgnored() throws Exception {
    JsonNode schema = Manifests.parse(Files.readString(HelmChart.CHART.resolve("values.schema.json")), JsonNode.class);
    List<String> open = new java.util.ArrayList<>();
    closed("", schema, open);
    assertThat(open).as("objects in values.schema.json that would accept any key").isEmpty();
  }

  /** An object with named properties allows no others; one without is a map whose values have a schema. */
  private static void closed(String path, JsonNode node, List<String> open) {
    if (node.path("type").asText().equals("object")) {
      JsonNode extra = node.path("additionalProperties");
      boolean ok = node.has("properties") ? extra.isBoolean() && !extra.asBoolean() : extra.isObject();
      if (!ok) {
        open.add(path.isEmpty() ? "/" : path);
      }
    }
    node.fields().forEachRemaining(e -> {
      if (e.getValue().isContainerNode()) {
        closed(path + "/" + e.getKey(), e.getValue(), open);
      }
    });
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        closed(path + "/" + i, node.get(i), open);
      }
    }
  }

  @Test
  void lintsStrictWithDefaultsAndWithEveryFeatureOn() throws Exception {
    HelmChart.Result defaults = HelmChart.run(List.of("lint", "--strict", HelmChart.CHART.toString()));
    assertThat(defaults.exit()).as("helm lint --strict: " + defaults.out() + defaults.err()).isZero();
    HelmChart.Result all = HelmChart.run(List.of("lint", "--strict", HelmChart.CHART.toString(),
        "-f", HelmChart.ALL_FEATURES.toString()));
    assertThat(all.exit()).as("helm lint --strict -f ci/all-features-values.yaml: " + all.out() + all.err()).isZero();
    // and lint is not blind: the same command refuses a typo
    Path typo = Files.writeString(Files.createDirectories(Path.of("target/chart")).resolve("typo.yaml"),
        "webhok: {enabled: false}\n");
    HelmChart.Result refused = HelmChart.run(List.of("lint", "--strict", HelmChart.CHART.toString(),
        "-f", typo.toString()));
    assertThat(refused.exit()).as("helm lint --strict of a values file with a typo").isNotZero();
    assertThat(refused.out()).contains("'webhok'");
  }

  @Test
  void theSchemaRefusesATypoNamingTheValue() throws Exception {
    assertThat(HelmChart.refusal("replicaCount: two\n")).contains("'/replicaCount'").contains("want integer");
    assertThat(HelmChart.refusal("webhok:\n  enabled: false\n")).contains("additional properties 'webhok'");
    assertThat(HelmChart.refusal("webhook:\n  enabeld: false\n"))
        .contains("'/webhook'").contains("additional properties 'enabeld'");
    assertThat(HelmChart.refusal("webhook:\n  certificates: certmanager\n")).contains("'/webhook/certificates'");
    assertThat(HelmChart.refusal("resync: 10 minutes\n")).contains("'/resync'");
    assertThat(HelmChart.refusal("securityContext:\n  readOnlyRootFileSystem: true\n"))
        .contains("'/securityContext'").contains("'readOnlyRootFileSystem'");
    assertThat(HelmChart.refusal("watchNamespaces: shop\n")).contains("'/watchNamespaces'");
    assertThat(HelmChart.refusal("commonLabels: {team: 7}\n")).contains("'/commonLabels/team'");
  }

  @Test
  void valuesThatCannotWorkTogetherAreRefusedByName() throws Exception {
    assertThat(HelmChart.refusal("replicaCount: 3\nleaderElection: false\n"))
        .contains("replicaCount 3 needs leaderElection: true");
    assertThat(HelmChart.refusal("replicaCount: 2\npodDisruptionBudget: {enabled: true, minAvailable: 2}\n"))
        .contains("podDisruptionBudget.minAvailable 2 with replicaCount 2 would block every node drain");
    assertThat(HelmChart.refusal("webhook: {certManager: {issuerRef: {kind: ClusterIssuer, name: ca}}}\n"))
        .contains("webhook.certManager.issuerRef is set but webhook.certificates is not cert-manager");
  }

  @Test
  void everyFeatureOnRendersWhatItsValuesSay() throws Exception {
    List<JsonNode> objects = HelmChart.render("-f", HelmChart.ALL_FEATURES.toString());
    JsonNode deployment = Rendered.only(objects, "Deployment");
    JsonNode pod = deployment.at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");
    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(container.path("image").asText()).isEqualTo("registry.example.com/platform/rootlock-operator:0.1.0-rc1"
        + "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    assertThat(container.path("imagePullPolicy").asText()).isEqualTo("Always");
    assertThat(pod.at("/imagePullSecrets/0/name").asText()).isEqualTo("regcred");
    assertThat(Rendered.texts(container.path("args"))).containsExactly("run", "--leader-election",
        "--log-format=text", "--resync=5m", "--reports=openreports", "--namespaces=shop,web",
        "--webhook-certificates=cert-manager");
    assertThat(container.at("/resources/limits/memory").asText()).isEqualTo("768Mi");
    assertThat(pod.at("/securityContext/fsGroup").asInt()).isEqualTo(10001);
    assertThat(container.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.at("/nodeSelector/kubernetes.io~1os").asText()).isEqualTo("linux");
    assertThat(pod.at("/tolerations/0/key").asText()).isEqualTo("dedicated");
    assertThat(pod.at("/affinity/podAntiAffinity").isObject()).isTrue();
    assertThat(pod.path("priorityClassName").asText()).isEqualTo("system-cluster-critical");
    assertThat(deployment.at("/spec/template/metadata/labels/sidecar.istio.io~1inject").asText()).isEqualTo("false");
    assertThat(deployment.at("/spec/template/metadata/annotations/prometheus.io~1scrape").asText()).isEqualTo("false");
    assertThat(deployment.at("/spec/template/metadata/annotations/rootlock.dev~1exclude").asText())
        .as("still never hardens itself").isEqualTo("true");
    assertThat(deployment.at("/spec/selector/matchLabels").size()).as("the selector never changes with values")
        .isEqualTo(2);

    JsonNode hook = Rendered.only(objects, "MutatingWebhookConfiguration");
    JsonNode webhook = hook.at("/webhooks/0");
    assertThat(webhook.path("failurePolicy").asText()).isEqualTo("Fail");
    assertThat(webhook.path("timeoutSeconds").asInt()).isEqualTo(10);
    assertThat(webhook.at("/namespaceSelector/matchLabels/team").asText()).isEqualTo("payments");
    assertThat(webhook.at("/namespaceSelector/matchExpressions").toString())
        .contains("{\"key\":\"kubernetes.io/metadata.name\",\"operator\":\"NotIn\",\"values\":[\"kube-system\","
            + "\"rootlock-system\"]}")
        .contains("{\"key\":\"kubernetes.io/metadata.name\",\"operator\":\"In\",\"values\":[\"shop\",\"web\"]}")
        .contains("\"environment\"");
    assertThat(webhook.at("/objectSelector/matchLabels/hardening").asText()).isEqualTo("rootlock");
    assertThat(webhook.at("/objectSelector/matchExpressions/0/key").asText()).isEqualTo("rootlock.dev/exclude");
    assertThat(webhook.at("/objectSelector/matchExpressions/1/values/0").asText()).isEqualTo("legacy-deployer");
    assertThat(hook.at("/metadata/annotations/cert-manager.io~1inject-ca-from").asText())
        .isEqualTo("rootlock-system/rootlock-webhook");
    assertThat(Rendered.only(objects, "Issuer").at("/spec/selfSigned").isObject()).isTrue();
    assertThat(Rendered.only(objects, "Certificate").at("/spec/secretName").asText())
        .isEqualTo("rootlock-webhook-tls");

    assertThat(Rendered.only(objects, "PodDisruptionBudget").at("/spec/minAvailable").asInt()).isEqualTo(2);
    JsonNode monitor = Rendered.only(objects, "ServiceMonitor");
    assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("prometheus");
    assertThat(monitor.at("/spec/endpoints/0/interval").asText()).isEqualTo("15s");
    assertThat(Rendered.only(objects, "PrometheusRule").at("/metadata/labels/release").asText())
        .isEqualTo("prometheus");
    JsonNode dashboard = Rendered.only(objects, "ConfigMap");
    assertThat(dashboard.at("/metadata/namespace").asText()).isEqualTo("monitoring");
    assertThat(dashboard.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
    assertThat(dashboard.at("/metadata/annotations/grafana_folder").asText()).isEqualTo("Security");
    assertThat(Manifests.parse(dashboard.at("/data/grafana-dashboard.json").asText(), JsonNode.class)
        .path("uid").asText()).isEqualTo("rootlock");

    for (JsonNode o : objects) {
      String id = o.path("kind").asText() + " " + o.at("/metadata/name").asText();
      assertThat(o.at("/metadata/labels/cost-center").asText()).as("commonLabels on " + id).isEqualTo("platform");
      assertThat(o.at("/metadata/annotations/owner").asText()).as("commonAnnotations on " + id)
          .isEqualTo("platform-team@example.com");
    }
  }

  @Test
  void theContainersArgumentsAreTheOperatorsOwnFlagsAndMeanWhatTheValuesSay() throws Exception {
    Settings all = settings(HelmChart.render("-f", HelmChart.ALL_FEATURES.toString()));
    assertThat(all.namespaces()).containsExactlyInAnyOrder("shop", "web");
    assertThat(all.resync()).isEqualTo(Duration.ofMinutes(5));
    assertThat(all.reports()).isEqualTo(ReportFormat.Option.openreports);
    assertThat(all.leaderElection()).isTrue();
    assertThat(all.webhook().certificates()).isEqualTo(WebhookCertificates.Source.certManager);

    Settings defaults = settings(HelmChart.render());
    assertThat(defaults).isEqualTo(settings(Rendered.deploy()));
    assertThat(defaults.namespaces()).isEmpty();
    assertThat(defaults.resync()).isEqualTo(Settings.DEFAULT_RESYNC);
    assertThat(defaults.webhook().certificates()).isEqualTo(WebhookCertificates.Source.self);
    // --webhook: off when the value says so; not given otherwise, which in a pod (POD_NAMESPACE set) means on
    assertThat(webhookFlag(HelmChart.render("--set", "webhook.enabled=false"))).isFalse();
    assertThat(webhookFlag(HelmChart.render())).isNull();
    assertThat(Rendered.only(HelmChart.render(), "Deployment").at("/spec/template/spec/containers/0/env").toString())
        .contains("{\"name\":\"POD_NAMESPACE\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.namespace\"}}}");
  }

  private static Boolean webhookFlag(List<JsonNode> objects) {
    return parse(objects).subcommand().matchedOptionValue("--webhook", null);
  }

  private static CommandLine.ParseResult parse(List<JsonNode> objects) {
    List<String> args = new java.util.ArrayList<>(Rendered.texts(Rendered.only(objects, "Deployment")
        .at("/spec/template/spec/containers/0/args")));
    args.addAll(List.of("--lease-namespace=" + HelmChart.NAMESPACE, "--identity=pod"));
    CommandLine.ParseResult parsed = Rootlock.commandLine().parseArgs(args.toArray(String[]::new));
    assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("run");
    return parsed;
  }

  /**
   * The Deployment's args as the operator's own command line reads them (picocli, then the checks
   * of {@code RunCommand.settings()}); {@code --lease-namespace} and {@code --identity} stand for
   * what the pod's POD_NAMESPACE and POD_NAME give it.
   */
  private static Settings settings(List<JsonNode> objects) throws Exception {
    Object run = parse(objects).subcommand().commandSpec().userObject();
    Method settings = RunCommand.class.getDeclaredMethod("settings");
    settings.setAccessible(true);
    return (Settings) settings.invoke(run);
  }

  @Test
  void theImageTagDefaultsToTheAppVersion() throws Exception {
    String appVersion = yaml(HelmChart.CHART.resolve("Chart.yaml")).path("appVersion").asText();
    assertThat(image(HelmChart.render())).isEqualTo("ghcr.io/rootlock/rootlock-operator:" + appVersion);
    assertThat(image(HelmChart.render("--set", "image.tag=dev"))).isEqualTo("ghcr.io/rootlock/rootlock-operator:dev");
  }

  @Test
  void oneReplicaMayRunWithoutLeaderElectionAndThenHoldsNoLeaseRights() throws Exception {
    List<JsonNode> objects = HelmChart.render("--set", "replicaCount=1", "--set", "leaderElection=false");
    assertThat(Rendered.texts(Rendered.only(objects, "Deployment")
        .at("/spec/template/spec/containers/0/args"))).doesNotContain("--leader-election");
    assertThat(Rendered.only(objects, "Role").path("rules").toString()).doesNotContain("leases")
        .contains("secrets");
  }

  private static String image(List<JsonNode> objects) {
    return Rendered.only(objects, "Deployment").at("/spec/template/spec/containers/0/image").asText();
  }

  static JsonNode yaml(Path file) throws Exception {
    return Manifests.parse(Files.readString(file), JsonNode.class);
  }
}
