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

  /** probe learning from crash output alone (--no-discover), which most tests here are about. */
  static CliRun probe(String... args) {
    List<String> all = new ArrayList<>(List.of("--no-discover"));
    all.addAll(List.of(args));
    return probeAsByDefault(all.toArray(String[]::new));
  }

  /** probe with its default discovery run first. */
  static CliRun probeAsByDefault(String... args) {
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
        // Debian's package leaves access.log and error.log in /var/log/nginx, and /run holds adduser,
        // lock/ and mount/: an emptyDir would hide them, so the image's files are seeded
        .containsPattern("/var/log/nginx +seedPaths +run \\d: .*/var/log/nginx/error.log")
        .containsPattern("/run +seedPaths +run \\d: .*\"/run/nginx.pid\"")
        .contains("/var/lib/nginx: empty in the image: a plain writable path (cachePaths)")
        .contains("/var/log/nginx: holds 2 file(s) in the image: seeded");
    // every path is printed with the log line that taught it, on stderr as it happens too
    assertThat(run.stderr()).contains("learned /var/lib/nginx (cachePaths) from: ");
  }

  /**
   * The image is looked into, not judged by its paths: /usr/local/tomcat/logs is empty in this
   * image (by its path, under /usr, it would be seeded) and /srv/shop/state holds a file the app
   * reads (by its path it would be a plain, empty tmpfs, and the app would find its file gone).
   */
  @Test
  void whatTheImageHoldsDecidesBetweenAPlainAndASeededPath(@TempDir Path dir) throws IOException {
    String image = contentsImage(dir);
    CliRun run = probe(image, "--", "sh", "-c", "touch /usr/local/tomcat/logs/catalina.log"
        + " && touch /srv/shop/state/orders.db && grep -q 'order 1' /srv/shop/state/orders.db && exec sleep 600");

    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
    assertThat(run.stdout())
        .containsPattern("/usr/local/tomcat/logs +cachePaths +run 1: .*catalina.log")
        .containsPattern("/srv/shop/state +seedPaths +run 2: .*orders.db")
        .contains("IN THE IMAGE\n/usr/local/tomcat/logs: empty in the image: a plain writable path (cachePaths)\n"
            + "/srv/shop/state: holds 1 file(s) in the image: seeded\n")
        .contains("runs read-only with 2 writable path(s), after 3 run(s)");
    assertThat(run.stderr()).contains("  /srv/shop/state: holds 1 file(s) in the image: seeded");
  }

  /**
   * A plain writable path starts empty, as an emptyDir does: Podman's --tmpfs copies the image's
   * files in unless told notmpcopyup, and the app below would pass the probe and fail in Kubernetes.
   */
  @Test
  void aPlainPathStartsEmptyAsAnEmptyDirDoes(@TempDir Path dir) throws IOException {
    CliRun run = probe("--cache-path", "/srv/shop/state", contentsImage(dir), "--", "sh", "-c",
        "grep -q 'order 1' /srv/shop/state/orders.db && exec sleep 600");

    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isEqualTo(1);
    assertThat(run.stdout()).contains("run 1: exited with code 2");
  }

  /** An app that writes a cache when it can and carries on without one when it cannot: no output tells. */
  static final String SILENT_CACHE = "mkdir -p /var/cache/shop 2>/dev/null; echo x > /var/cache/shop/c.json 2>/dev/null;"
      + " exec sleep 600";

  @Test
  void aDiscoveryRunFindsAWriteThatNeverFailsLoudlyWhichCrashOutputMisses() {
    CliRun missed = probe(IMAGE, "--", "sh", "-c", SILENT_CACHE);
    assertThat(missed.exitCode()).as(missed.stderr()).isZero();
    assertThat(missed.stdout()).contains("runs read-only with 0 writable path(s), after 1 run(s)");

    CliRun run = probeAsByDefault(IMAGE, "--", "sh", "-c", SILENT_CACHE);

    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
    assertThat(run.stdout())
        .contains("run 1: with a writable root, to discover what it writes: running after")
        .containsPattern("/var/cache/shop +cachePaths +run 1: podman diff: A /var/cache/shop/c.json")
        .contains("/var/cache/shop: absent from the image: a plain writable path (cachePaths)")
        .contains("runs read-only with 1 writable path(s), after 2 run(s)");
    assertThat(run.stderr()).contains("learned /var/cache/shop (cachePaths) from: podman diff: A /var/cache/shop/c.json");
  }

  @Test
  void nginxWithADiscoveryRunConvergesInTwoRunsFromTheDiff() {
    CliRun run = probeAsByDefault("--discover", "--http-check", "80/", IMAGE, "--", "nginx", "-g", "daemon off;");

    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).containsPattern("/var/lib/nginx +cachePaths +run 1: podman diff: A /var/lib/nginx/")
        .containsPattern("/var/log/nginx +seedPaths +run 1: podman diff: [AC] /var/log/nginx/")
        .containsPattern("/run +seedPaths +run 1: podman diff: A /run/nginx.pid")
        .contains("note: podman diff of run 1: C /etc: a directory changed with nothing listed below it")
        .contains("runs read-only with 3 writable path(s), after 2 run(s)");
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

  /** The test image with an empty /usr/local/tomcat/logs and a /srv/shop/state holding orders.db ("order 1"). */
  private static String contentsImage(Path dir) throws IOException {
    String image = "localhost/rootlock-test-contents:1";
    if (TestImage.podman("image", "exists", image).exitCode() != 0) {
      Files.createDirectories(dir.resolve("logs"));
      Files.createDirectories(dir.resolve("state"));
      Files.writeString(dir.resolve("state/orders.db"), "order 1\n");
      // COPY, not RUN: nothing runs while it is built
      Files.writeString(dir.resolve("Containerfile"), "FROM " + IMAGE + "\nCOPY logs /usr/local/tomcat/logs\n"
          + "COPY state /srv/shop/state\n");
      TestImage.Result built = TestImage.podman("build", "--pull=never", "-t", image, dir.toString());
      assertThat(built.exitCode()).as(built.output()).isZero();
    }
    return image;
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
