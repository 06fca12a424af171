package dev.rootlock.probe;

import static dev.rootlock.testing.TestImage.IMAGE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.testing.CliRun;
import dev.rootlock.testing.JdkTools;
import dev.rootlock.testing.TestImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code rootlock probe} command against real programs under Podman (Debian's nginx,
 * python3 and redis-server in the image .ci/test-image builds): what it learns, what it refuses,
 * and that it leaves no container behind.
 */
class ProbeIT {
  /** Harmless here (CONTAINERS_CONF says the same), but proves --engine-arg reaches podman. */
  static final String ENGINE_ARG = "--engine-arg=--cgroup-manager=cgroupfs";

  @BeforeAll
  static void podman() {
    TestImage.require();
  }

  @AfterEach
  void noContainerIsLeftBehind() throws IOException {
    assertThat(TestImage.leftoverProbeContainers()).isEmpty();
  }

  static CliRun probe(String... args) {
    List<String> all = new ArrayList<>(List.of("probe", "--engine", "podman", ENGINE_ARG, "--settle", "3s"));
    all.addAll(List.of(args));
    return CliRun.of(all.toArray(String[]::new));
  }

  @Test
  void debiansNginxConvergesInFourRunsAndAnswersThroughTheHttpCheck() {
    CliRun run = probe("--http-check", "80/", IMAGE, "--", "nginx", "-g", "daemon off;");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(runs(run.stdout())).as(run.stdout()).isBetween(2, 4);
    assertThat(run.stdout())
        .contains("HTTP check :80/ answered 200")
        .contains("runs read-only with 3 writable path(s)")
        .containsPattern("/var/lib/nginx +cachePaths +run 1: .*mkdir\\(\\) \"/var/lib/nginx/body\" failed "
            + "\\(30: Read-only file system\\)")
        .containsPattern("/var/log/nginx +cachePaths +run \\d: .*/var/log/nginx/error.log")
        .containsPattern("/run +cachePaths +run \\d: .*\"/run/nginx.pid\"");
    // every path is printed with the log line that taught it, on stderr as it happens too
    assertThat(run.stderr()).contains("learned /var/lib/nginx (cachePaths) from: ");
  }

  @Test
  void thePathsItPrintsAsFlagsRunTheAppReadOnly() throws IOException {
    CliRun run = probe("--format", "flags", IMAGE, "--", "nginx", "-g", "daemon off;");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    String flags = run.stdout().strip();
    assertThat(flags).startsWith("--read-only --read-only-tmpfs=false --tmpfs ");

    // the flags as a user pastes them: nginx starts and keeps running
    List<String> args = new ArrayList<>(List.of("run", "-d", "--label", TestImage.PROBE_LABEL, "--network", "none"));
    args.addAll(List.of(flags.split(" ")));
    args.addAll(List.of(IMAGE, "nginx", "-g", "daemon off;"));
    String id = TestImage.podman(args.toArray(String[]::new)).output().strip();
    try {
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> TestImage.podman(
          "inspect", "--format", "{{.State.Running}}", id).output().strip().equals("true"));
    } finally {
      TestImage.podman("rm", "-f", "-t", "0", id);
    }
  }

  @Test
  void aPythonProgramThatNeedsATempDirectoryConvergesToTmp() throws Exception {
    CliRun run = probe("--format", "policy", "--name", "worker", IMAGE, "--", "python3", "-c",
        "import tempfile, time; tempfile.mkstemp(); time.sleep(600)");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stderr()).contains("learned /tmp (tmpPaths) from: FileNotFoundError: [Errno 2] "
        + "No usable temporary directory found in ['/tmp', '/var/tmp', '/usr/tmp', '/']");
    ReadOnlyPolicy policy = dev.rootlock.engine.JsonPatches.SERIALIZATION.unmarshal(run.stdout(),
        ReadOnlyPolicy.class);
    assertThat(policy.getMetadata().getName()).isEqualTo("worker");
    assertThat(policy.getSpec().getTmpPaths()).containsExactly("/tmp");
    assertThat(policy.getSpec().getCachePaths()).isEmpty();
    assertThat(PolicyRules.from(policy.getSpec()).isValid()).as("the policy printed is one the operator takes")
        .isTrue();
  }

  @Test
  void aProgramThatWritesIntoEtcExitsOneAndNamesTheUnsafeDirectory() {
    CliRun run = probe(IMAGE, "--", "sh", "-c", "echo x > /etc/app.conf && exec sleep 600");

    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isEqualTo(1);
    assertThat(run.stderr()).contains("cannot run " + IMAGE + " read-only: the app failed writing /etc/app.conf "
        + "(read-only file system); an emptyDir at /etc would hide the image's files");
    assertThat(runs(run.stdout())).isEqualTo(1);
  }

  @Test
  void anImageThatExitsZeroAtOnceSucceedsAfterOneRun() {
    CliRun run = probe(IMAGE, "--", "true");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).contains("run 1: exited with code 0").contains("after 1 run(s)");
  }

  @Test
  void anExecCheckExercisesAPathStartUpNeverWrites() {
    CliRun run = probe("--format", "compose", "--exec-check", "redis-cli save | grep -qx OK", IMAGE, "--",
        "redis-server", "--dir", "/var/lib/redis");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stderr()).contains("learned /var/lib/redis (cachePaths) from: ")
        .contains("(in server root dir /var/lib/redis) for saving: Read-only file system")
        .contains("run 2: running after");
    assertThat(run.stdout()).as("the service as probed: its command too").isEqualTo("""
        services:
          rootlock-test:
            image: %s
            command:
              - redis-server
              - --dir
              - /var/lib/redis
            labels:
              app: rootlock-test
            read_only: true
            tmpfs:
              - "/var/lib/redis:size=64m,mode=1777"
        """.formatted(IMAGE));
  }

  @Test
  void aPassingHttpCheckEndsEachRunWithoutWaitingOutTheSettleTime() {
    long start = System.nanoTime();
    CliRun run = CliRun.of("probe", "--engine", "podman", "--settle", "60s", "--http-check", "80/", IMAGE, "--",
        "nginx", "-g", "daemon off;");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).containsPattern("run \\d: running after \\d+\\.\\d s; HTTP check :80/ answered 200");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not one 60 s settle")
        .isLessThan(Duration.ofSeconds(45));
  }

  @Test
  void anExitThatIsNotAboutTheFilesystemIsNotBlamedOnTheReadOnlyRoot() {
    CliRun run = probe("--format", "compose", IMAGE, "--", "sh", "-c", "exit 3");

    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(1);
    assertThat(run.stdout()).as("a failed probe prints its report, whatever the format")
        .contains("run 2: with a writable root, for comparison: exited with code 3")
        .contains("cannot run read-only: it fails with a writable root filesystem too (the last run exited with "
            + "code 3 after ").contains("so the failure is not about the read-only root");
  }

  @Test
  void aMissingImageIsPulledOrRefusedWithHowToPullIt() {
    CliRun never = probe("--pull", "never", "localhost/rootlock-absent:1");
    assertThat(never.exitCode()).isEqualTo(2);
    assertThat(never.stderr()).contains("podman does not have the image localhost/rootlock-absent:1 and --pull never "
        + "forbids pulling it: run podman pull localhost/rootlock-absent:1 first");

    // nothing can be pulled here: the engine's own pull error, not "image not known" from inspect
    CliRun pull = probe("localhost/rootlock-absent:1");
    assertThat(pull.exitCode()).isEqualTo(2);
    assertThat(pull.stderr()).contains("pulling localhost/rootlock-absent:1 (podman does not have it)")
        .contains("podman pull localhost/rootlock-absent:1 failed").doesNotContain("image inspect");
  }

  @Test
  void aVolumeOfTheImageIsReadOnlyAsInKubernetesAndSaidToHoldData(@TempDir Path dir) throws IOException {
    String image = "localhost/rootlock-test-volume:1";
    if (TestImage.podman("image", "exists", image).exitCode() != 0) {
      Files.writeString(dir.resolve("Containerfile"), "FROM " + IMAGE + "\nVOLUME /var/lib/redis\n");
      TestImage.Result built = TestImage.podman("build", "--pull=never", "-t", image, dir.toString());
      assertThat(built.exitCode()).as(built.output()).isZero();
    }
    Path policy = Files.writeString(dir.resolve("policy.yaml"), "apiVersion: rootlock.dev/v1alpha1\n"
        + "kind: ReadOnlyPolicy\nmetadata: {name: cache}\nspec: {selector: {matchLabels: {tier: cache}}}\n");

    CliRun run = probe("--policy", policy.toString(), "--format", "policy", "--exec-check",
        "redis-cli save | grep -qx OK", image, "--", "redis-server", "--dir", "/var/lib/redis");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stderr()).contains("learned /var/lib/redis (cachePaths)")
        .contains("warning: /var/lib/redis is a VOLUME the image declares (/var/lib/redis): it holds data that "
            + "should persist");
    assertThat(run.stdout()).as("the policy as written: no namespace added").doesNotContain("namespace")
        .contains("tier: cache").contains("- /var/lib/redis");
  }

  @Test
  void anInterruptedProbeRemovesItsContainer() throws Exception {
    Process p = new ProcessBuilder(JdkTools.tool("java"), "-cp", System.getProperty("java.class.path"),
        "dev.rootlock.Rootlock", "probe", "--engine", "podman", "--settle", "5m", IMAGE, "--", "sleep", "600")
        .redirectErrorStream(true).redirectOutput(File.createTempFile("probe", ".log")).start();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> !TestImage.leftoverProbeContainers().isEmpty());
      p.destroy(); // SIGTERM, as Ctrl-C's SIGINT, runs the JVM's shutdown hooks
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
    }
  }

  private static int runs(String report) {
    Matcher m = Pattern.compile("(?m)^run (\\d+): ").matcher(report);
    int last = 0;
    while (m.find()) {
      last = Integer.parseInt(m.group(1));
    }
    return last;
  }
}
