package dev.rootlock.plan;

import dev.rootlock.testing.CliRun;
import static dev.rootlock.plan.PlanBadInputTest.assertBadInput;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compose files Compose itself would refuse: exit 2, {@code FILE:LINE: field: reason}, nothing on stdout. */
class ComposeBadInputTest {
  private static final String POLICY = "apiVersion: rootlock.dev/v1alpha1\nkind: ReadOnlyPolicy\nmetadata: {name: p}\n";

  @TempDir
  Path dir;

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', textBlock = """
      services:\\n  web: nginx\\n                                     | services.web                | 2 | must be a mapping of its settings, found "nginx"
      services:\\n  db: {image: postgres}\\n  web:\\n                  | services.web                | 3 | found nothing
      services:\\n  web:\\n    labels: tier=web\\n                    | services.web.labels         | 3 | must be a mapping or a list of key=value strings
      services:\\n  web:\\n    labels:\\n      - a=b\\n      - {c: d}\\n | services.web.labels[1]      | 5 | must be a key=value string, found a mapping
      services:\\n  web:\\n    labels:\\n      tier: [web]\\n           | services.web.labels.tier    | 4 | a label value must be a string, found a list
      services:\\n  web:\\n    volumes: {data: /data}\\n              | services.web.volumes        | 3 | must be a list of volumes, found a mapping
      services:\\n  web:\\n    volumes:\\n      - ./a:/a\\n      - b:/b\\n      - 5\\n | services.web.volumes[2] | 6 | must be a string such as ./data:/data or a mapping with a target, found a number
      services:\\n  web:\\n    volumes: ['./a:/b:ro:x']\\n           | services.web.volumes[0]     | 3 | too many colons
      services:\\n  web:\\n    volumes: ['./a::ro']\\n                | services.web.volumes[0]     | 3 | empty section between colons
      services:\\n  web:\\n    volumes:\\n      - type: bind\\n        source: ./a\\n | services.web.volumes[0] | 4 | a volume needs a target
      services:\\n  web:\\n    volumes:\\n      - {type: bind, target: 7}\\n | services.web.volumes[0].target | 4 | a volume needs a target, the path in the container, found a number
      services:\\n  web:\\n    tmpfs: {path: /tmp}\\n                 | services.web.tmpfs          | 3 | must be a path or a list of paths
      services:\\n  web:\\n    tmpfs:\\n      - /run\\n      - 64\\n    | services.web.tmpfs[1]       | 5 | must be a path such as /run:size=64m, found a number
      services:\\n  web:\\n    read_only: maybe\\n                    | services.web.read_only      | 3 | must be true or false, found "maybe"
      services:\\n  web:\\n    read_only: ${RO}\\n                    | services.web.read_only      | 3 | plan does not substitute variables
      name: [shop]\\nservices:\\n  web: {}\\n                          | name                        | 1 | the project name must be a string
      """)
  void aBadServiceNamesFileLineAndField(String compose, String field, int line, String reason) throws IOException {
    Path file = write("compose.yaml", compose.replace("\\n", "\n"));

    CliRun run = plan("--format", "report", file.toString());

    assertBadInput(run, file + ":" + line + ": " + field + ": ", reason);
    assertThat(run.stderr().lines()).hasSize(1);
  }

  @Test
  void aBadFieldFromAnAnchorIsReportedWhereTheAnchorDefinesIt() throws IOException {
    Path file = write("compose.yaml", "# shop\n---\nx-common: &common\n  tmpfs:\n    - /run\n    - [/tmp]\n"
        + "services:\n  web:\n    image: nginx\n    <<: *common\n");

    assertBadInput(plan(file.toString()), file + ":6: services.web.tmpfs[1]: ", "found a list");
  }

  @Test
  void kustomizeRefusesComposeFiles() throws IOException {
    Path deployment = write("app.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
        + "spec: {template: {spec: {containers: [{name: app, image: x}]}}}\n");
    Path compose = write("compose.yaml", "services:\n  web: {image: nginx}\n");
    Path out = dir.resolve("overlay");

    CliRun run = plan("--format", "kustomize", "--out", out.toString(), deployment.toString(), compose.toString());

    assertBadInput(run, compose + ":1: ", "Docker Compose file", "kustomize patches apply to Kubernetes manifests only");
    assertThat(run.stderr().lines()).hasSize(1);
    assertThat(out).doesNotExist();
  }

  private Path write(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  private CliRun plan(String... rest) throws IOException {
    return CliRun.plan(write("policy.yaml", POLICY), rest);
  }
}
