package dev.rootlock.probe;

import dev.rootlock.cli.ProbeCommand;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad input to {@code rootlock probe}: exit 2 with the option or file named, before any container runs. */
class ProbeCommandTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      bad env             | -e BAD                  | -e 'BAD' is not NAME=VALUE
      zero tries          | --tries 0               | --tries must be at least 1, not 0
      bad settle          | --settle soon           | 'soon' is not a duration
      zero settle         | --settle 0s             | --settle must be longer than zero
      bad http check      | --http-check web        | 'web' is not PORT[/PATH], for example 8080/healthz
      port out of range   | --http-check 70000      | '70000' is not PORT[/PATH]
      relative tmp path   | --tmp-path tmp          | --tmp-path tmp: "tmp" is relative; use an absolute path such as /tmp
      runtime cache path  | --cache-path /proc/x    | --cache-path /proc/x: "/proc/x" lies under /proc
      bad size            | --size-limit lots       | --size-limit: "lots" is not a quantity
      bad name            | --name Web_1            | --name 'Web_1' is not a DNS label
      unknown engine      | --engine nerdctl        | --engine: 'nerdctl' is neither docker nor podman
      unknown format      | --format yaml           | Invalid value for option '--format'
      bad selector        | --selector tier         | --selector: 'tier' is not KEY=VALUE
      bad selector value  | --selector app=a/b      | --selector: 'app=a/b' is not KEY=VALUE
      bad pull            | --pull always           | --pull: 'always' is neither missing nor never
      """)
  void refusesBadOptions(String what, String option, String message) {
    List<String> args = new java.util.ArrayList<>(List.of("probe"));
    args.addAll(List.of(option.split(" ")));
    args.add("app:1");
    CliRun run = CliRun.of(args.toArray(String[]::new));
    assertThat(run.exitCode()).as(what + ": " + run.stderr()).isEqualTo(2);
    assertThat(run.stderr()).as(what).contains(message);
    assertThat(run.stdout()).isEmpty();
  }

  @Test
  void helpShowsOptionsAsTheyAreTyped() {
    CliRun run = CliRun.of("probe", "--help");
    assertThat(run.stdout()).contains("-e  NAME=VALUE", "[-e NAME=VALUE]...", "--selector KEY=VALUE[,KEY=VALUE]",
        "--pull POLICY").doesNotContain("-e=NAME=VALUE", "--selector=");
  }

  @Test
  void aPolicyFileIsValidatedLikeTheOperatorValidatesIt(@TempDir Path dir) throws IOException {
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, """
        apiVersion: rootlock.dev/v1alpha1
        kind: ReadOnlyPolicy
        metadata: {name: web}
        spec: {cachePaths: [var/cache]}
        """);
    CliRun run = CliRun.of("probe", "--policy", policy.toString(), "app:1");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).as("the line of the field")
        .contains(policy + ":4: invalid ReadOnlyPolicy web: spec.cachePaths[0]");
  }

  @Test
  void aPolicyFileWithTwoPoliciesIsRefused(@TempDir Path dir) throws IOException {
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, """
        apiVersion: rootlock.dev/v1alpha1
        kind: ReadOnlyPolicy
        metadata: {name: a}
        ---
        apiVersion: rootlock.dev/v1alpha1
        kind: ReadOnlyPolicy
        metadata: {name: b}
        """);
    CliRun run = CliRun.of("probe", "--policy", policy.toString(), "app:1");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.stderr()).contains("holds 2 ReadOnlyPolicy documents; probe starts from one");
  }

  @Test
  void anEngineThatCannotStartIsNamedWithItsCause() {
    ContainerEngine.EngineException e = org.junit.jupiter.api.Assertions.assertThrows(
        ContainerEngine.EngineException.class, () -> CliEngine.choose(null, List.of("--no-such-global-flag")));
    assertThat(e.getMessage()).startsWith("no usable container engine: ")
        .contains("docker").contains("podman").contains("install Podman");
  }

  @Test
  void namesComeFromTheImage() {
    assertThat(ProbeCommand.nameFrom("docker.io/library/nginx:1.27@sha256:abc")).isEqualTo("nginx");
    assertThat(ProbeCommand.nameFrom("localhost:5000/team/My_App")).isEqualTo("my-app");
    assertThat(ProbeCommand.nameFrom("ghcr.io/x/__")).isEqualTo("app");
  }
}
