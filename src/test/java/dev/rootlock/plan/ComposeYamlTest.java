package dev.rootlock.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Compose files are read as Docker Compose reads them; Kubernetes manifests keep YAML 1.1. */
class ComposeYamlTest {

  private static JsonNode read(String yaml) throws PlanInputException {
    return ManifestReader.split("t.yaml", yaml).get(0).node();
  }

  @Test
  void composeScalarsFollowYaml12AsComposeReadsThem() throws PlanInputException {
    JsonNode web = read("services:\n  web:\n    restart: no\n    ports: [22:22, 8080:80]\n"
        + "    environment: {A: yes, B: on, C: true, D: ~, E: 1_000, F: 0x1F, G: 2024-01-01}\n"
        + "    configs: [{source: c, target: /c, mode: 0440}, {source: d, target: /d, mode: 0o440}]\n"
        + "    x-float: [1.5, .inf, 1e3]\n").at("/services/web");

    assertThat(web.get("restart").isTextual()).isTrue();
    assertThat(web.get("restart").asText()).isEqualTo("no");
    assertThat(web.at("/ports/0").asText()).isEqualTo("22:22"); // YAML 1.1 would read 1342
    assertThat(web.at("/ports/0").isTextual()).isTrue();
    JsonNode env = web.get("environment");
    assertThat(env.get("A").isTextual()).isTrue();
    assertThat(env.get("B").asText()).isEqualTo("on");
    assertThat(env.get("C").isBoolean()).isTrue();
    assertThat(env.get("D").isNull()).isTrue();
    assertThat(env.get("E").asInt()).isEqualTo(1000);
    assertThat(env.get("F").asInt()).isEqualTo(31);
    assertThat(env.get("G").asText()).isEqualTo("2024-01-01");
    assertThat(web.at("/configs/0/mode").asInt()).isEqualTo(288); // go-yaml v3 keeps 1.1 octals
    assertThat(web.at("/configs/1/mode").asInt()).isEqualTo(288);
    assertThat(web.at("/x-float/0").asDouble()).isEqualTo(1.5);
    assertThat(web.at("/x-float/1").asDouble()).isInfinite();
    assertThat(web.at("/x-float/2").asDouble()).isEqualTo(1000.0);
  }

  @Test
  void kubernetesManifestsKeepYaml11() throws PlanInputException {
    JsonNode cm = read("apiVersion: v1\nkind: ConfigMap\nservices: {a: b}\ndata: {a: no, b: 22:22}\n");

    assertThat(cm.at("/data/a").isBoolean()).isTrue();
    assertThat(cm.at("/data/b").asInt()).isEqualTo(1342);
  }

  @Test
  void mergeKeysAreResolvedAndOwnKeysWin() throws PlanInputException {
    JsonNode services = read("x-common: &common\n  image: app\n  restart: always\n  labels: {tier: app}\n"
        + "x-logs: &logs\n  logging: {driver: local}\n  restart: on-failure\n"
        + "services:\n  a:\n    <<: *common\n    restart: no\n  b:\n    <<: [*logs, *common]\n").get("services");

    assertThat(services.get("a").get("image").asText()).isEqualTo("app");
    assertThat(services.get("a").get("restart").asText()).isEqualTo("no");
    assertThat(services.at("/a/labels/tier").asText()).isEqualTo("app");
    assertThat(services.at("/b/restart").asText()).isEqualTo("on-failure"); // the first source wins
    assertThat(services.at("/b/logging/driver").asText()).isEqualTo("local");
    assertThat(services.get("b").has("<<")).isFalse();
  }

  @Test
  void aComposeFileMayUseFarMoreThanFiftyAliases() throws PlanInputException {
    StringBuilder yaml = new StringBuilder("x-a: &a {restart: always}\nx-b: &b {logging: {driver: local}}\n"
        + "x-c: &c {labels: {tier: web}}\nservices:\n");
    for (int i = 0; i < 40; i++) {
      yaml.append("  s").append(i).append(":\n    image: x\n    <<: [*a, *b, *c]\n");
    }

    JsonNode services = read(yaml.toString()).get("services");

    assertThat(services.size()).isEqualTo(40);
    assertThat(services.at("/s39/logging/driver").asText()).isEqualTo("local");
  }

  @Test
  void onlyAServicesMappingWithoutKindMakesACompose() throws PlanInputException {
    assertThat(ComposeYaml.isCompose(read("services: {web: {image: nginx}}\n"))).isTrue();
    assertThat(ComposeYaml.isCompose(read("services: {}\n"))).isTrue();
    assertThat(ComposeYaml.isCompose(read("services: [web]\n"))).isFalse();
    assertThat(ComposeYaml.isCompose(read("kind: Config\nservices: {web: {}}\n"))).isFalse();
    assertThat(ComposeYaml.isCompose(read("apiVersion: v1\nservices: {web: {}}\n"))).isFalse();
  }

  @Test
  void fieldLinesAreFoundThroughMergeKeys() throws PlanInputException {
    String yaml = "# c\n---\nx-common: &common\n  volumes:\n    - ./a:/a\n    - 5\nservices:\n  web:\n"
        + "    <<: *common\n    labels: [a=b]\n";
    SourceDocument doc = ManifestReader.split("t.yaml", yaml).get(1);
    YamlLines lines = new YamlLines(doc);

    assertThat(lines.lineOf(FieldPath.of("services", "web"))).isEqualTo(8);
    assertThat(lines.lineOf(FieldPath.of("services", "web").field("labels").index(0))).isEqualTo(10);
    assertThat(lines.lineOf(FieldPath.of("services", "web").field("volumes").index(1))).isEqualTo(6);
    assertThat(lines.lineOf(FieldPath.of("services", "web").field("nothing").index(3))).isEqualTo(8);
    assertThat(FieldPath.of("services", "web").field("volumes").index(1)).hasToString("services.web.volumes[1]");
  }
}
