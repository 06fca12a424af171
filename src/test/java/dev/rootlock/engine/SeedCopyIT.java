package dev.rootlock.engine;

import static dev.rootlock.testing.Manifests.rules;
import static dev.rootlock.testing.Manifests.template;
import static dev.rootlock.testing.TestImage.IMAGE;
import static dev.rootlock.testing.TestImage.podman;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.testing.TestImage;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeders the engine writes, run for real under Podman as the kubelet would run them: each
 * emptyDir is a fresh host directory (mode 0777, like the kubelet's), the init container runs
 * with a read-only root and no privilege escalation, then the app runs read-only with the same
 * mounts. Debian's nginx from the test image, with an entrypoint-like {@code sed -i} on a file in
 * {@code /etc/nginx/conf.d}, as the official image's entrypoint does.
 */
class SeedCopyIT {
  /** The test image plus a conf.d holding every kind of entry a copy can get wrong. */
  static final String SEEDED_IMAGE = "localhost/rootlock-seed-test:1";
  /** Data files only, no shell and no cp: what a distroless image offers an image volume. */
  static final String SHELLLESS_IMAGE = "localhost/rootlock-seed-shellless:1";
  /** The listing the copy must reproduce: name, type, mode, owner, size, link target, mtime. */
  static final String LIST = "cd \"$1\" && find . -mindepth 1 -printf '%P %y %m %U:%G %s %l %Ts\\n' | sort";

  private final List<String> started = new ArrayList<>();

  @BeforeAll
  static void images() throws IOException {
    TestImage.require();
    TestImage.derive(SEEDED_IMAGE,
        "cd /etc/nginx/conf.d",
        "printf 'server { listen 8081; location / { return 200 \"image-default\\\\n\"; } }\\n' > default.conf",
        "echo hidden > .hidden", "echo key > secret.key", "chmod 0600 secret.key",
        "chown 33:33 secret.key", "mkdir -p nested/deeper", "echo deep > nested/deeper/file.txt",
        "chmod 0750 nested", "ln -s default.conf current", "ln -s /etc/nginx/nginx.conf absolute",
        "touch -d 2020-01-02T03:04:05 default.conf .hidden");
  }

  @AfterAll
  static void removeImages() throws IOException {
    podman("rmi", "-f", SEEDED_IMAGE, SHELLLESS_IMAGE);
  }

  @AfterEach
  void removeContainers() throws IOException {
    for (String id : started) {
      podman("rm", "-f", id);
    }
  }

  @Test
  void nginxRunsReadOnlyWithConfDSeededAndItsEntrypointEditsTheCopy(@TempDir Path tmp) throws Exception {
    PodSpec pod = hardened(SEEDED_IMAGE, SeedPlatform.DEFAULT, "{seedPaths: [/etc/nginx/conf.d], "
        + "cachePaths: [/var/lib/nginx, /var/log/nginx, /run], seed: {method: Copy}}");
    Map<String, Path> volumes = emptyDirs(pod, tmp);
    Container seeder = pod.getInitContainers().get(0);
    assertThat(seeder.getName()).isEqualTo("rootlock-seed-nginx");
    assertThat(seeder.getImage()).as("Copy: the app's own image, shell and cp").isEqualTo(SEEDED_IMAGE);

    // Without the seeder, the empty emptyDir hides default.conf and the entrypoint fails.
    String failed = runApp(pod, volumes, false);
    assertThat(failed).contains("default.conf");

    TestImage.Result copy = run(seeder, volumes, List.of());
    assertThat(copy.exitCode()).as(copy.output()).isZero();
    Path confD = volumeAt(pod, volumes, "/etc/nginx/conf.d");
    assertThat(listing(confD)).as("every entry: hidden, 0600 owned by 33, nested, symlinks, times")
        .isEqualTo(imageListing(SEEDED_IMAGE, "/etc/nginx/conf.d")).contains("secret.key f 600 33:33")
        .contains(".hidden f").contains("current l 777 0:0 12 default.conf").contains("nested d 750");

    String body = runApp(pod, volumes, true);
    assertThat(body).isEqualTo("edited-at-start\n");
  }

  @Test
  void aSeederRestartedHalfWayLeavesAnExactCopy(@TempDir Path tmp) throws Exception {
    PodSpec pod = hardened(SEEDED_IMAGE, SeedPlatform.DEFAULT, "{seedPaths: [/etc/nginx/conf.d], "
        + "seed: {method: Copy}}");
    Map<String, Path> volumes = emptyDirs(pod, tmp);
    Container seeder = pod.getInitContainers().get(0);
    Path confD = volumeAt(pod, volumes, "/etc/nginx/conf.d");
    assertThat(run(seeder, volumes, List.of()).exitCode()).isZero();
    String exact = listing(confD);

    // What a kill mid-copy leaves: a truncated file, a half-copied tree, a stray entry, a
    // directory the copy had not made writable yet.
    Files.writeString(confD.resolve("default.conf"), "serv");
    Files.delete(confD.resolve("nested/deeper/file.txt"));
    Files.writeString(confD.resolve("default.confXXXX"), "partial");
    Files.setPosixFilePermissions(confD.resolve("nested"), PosixFilePermissions.fromString("r-x------"));
    assertThat(listing(confD)).isNotEqualTo(exact);

    TestImage.Result again = run(seeder, volumes, List.of());
    assertThat(again.exitCode()).as(again.output()).isZero();
    assertThat(listing(confD)).as("a second run rewrites what the first left half done").isEqualTo(exact);
    assertThat(podman("run", "--rm", "-v", confD + ":/c:ro", IMAGE, "cat", "/c/default.conf").output())
        .contains("image-default");
  }

  @Test
  void aDirectoryTheImageLacksGivesAnEmptyVolume(@TempDir Path tmp) throws Exception {
    PodSpec pod = hardened(SEEDED_IMAGE, SeedPlatform.DEFAULT, "{seedPaths: [/opt/not/there], "
        + "seed: {method: Copy}}");
    Map<String, Path> volumes = emptyDirs(pod, tmp);
    TestImage.Result r = run(pod.getInitContainers().get(0), volumes, List.of());
    assertThat(r.exitCode()).as(r.output()).isZero();
    try (var entries = Files.list(volumeAt(pod, volumes, "/opt/not/there"))) {
      assertThat(entries).isEmpty();
    }
  }

  @Test
  void anImageWithoutAShellIsSeededThroughAnImageMount(@TempDir Path tmp) throws Exception {
    Path root = Files.createDirectories(tmp.resolve("rootfs/srv/app/conf"));
    Files.writeString(root.resolve("app.yaml"), "port: 8080\n");
    Files.writeString(root.resolve(".env"), "MODE=prod\n");
    Files.createDirectories(tmp.resolve("rootfs/etc"));
    Files.createSymbolicLink(tmp.resolve("rootfs/etc/app"), Path.of("/srv/app/conf"));
    Process tar = new ProcessBuilder("tar", "-C", tmp.resolve("rootfs").toString(), "-cf",
        tmp.resolve("rootfs.tar").toString(), ".").redirectErrorStream(true).start();
    assertThat(tar.waitFor()).isZero();
    assertThat(podman("import", tmp.resolve("rootfs.tar").toString(), SHELLLESS_IMAGE).exitCode()).isZero();
    assertThat(podman("run", "--rm", SHELLLESS_IMAGE, "/bin/sh", "-c", "true").exitCode())
        .as("the image really has no shell").isNotZero();

    // The copier is the test image (sh, cp, readlink), as --seed-image names it; /etc/app is a
    // symlink inside the image, so it must be followed there, not in the copier.
    PodSpec pod = hardened(SHELLLESS_IMAGE, new SeedPlatform(true, IMAGE), "{seedPaths: [/etc/app], "
        + "seed: {method: ImageVolume}}");
    Map<String, Path> volumes = emptyDirs(pod, tmp.resolve("volumes"));
    Container seeder = pod.getInitContainers().get(0);
    assertThat(seeder.getImage()).isEqualTo(IMAGE);
    Volume image = pod.getVolumes().stream().filter(v -> v.getImage() != null).findFirst().orElseThrow();
    String imageMount = seeder.getVolumeMounts().stream().filter(m -> m.getName().equals(image.getName()))
        .findFirst().orElseThrow().getMountPath();
    TestImage.Result r = run(seeder, volumes, List.of("--mount",
        "type=image,source=" + image.getImage().getReference() + ",destination=" + imageMount));
    assertThat(r.exitCode()).as(r.output()).isZero();
    Path copied = volumeAt(pod, volumes, "/etc/app");
    assertThat(Files.readString(copied.resolve("app.yaml"))).isEqualTo("port: 8080\n");
    assertThat(Files.readString(copied.resolve(".env"))).isEqualTo("MODE=prod\n");
  }

  @Test
  void probeLearnsConfDAsASeededPathAndNginxAnswersWithItsEntrypointsEdit() throws Exception {
    List<String> before = TestImage.leftoverProbeContainers(); // other runs on this machine may leave some
    dev.rootlock.testing.CliRun run = dev.rootlock.testing.CliRun.of("probe", "--engine", "podman", "--settle", "3s",
        "--no-discover", "--http-check", "8081/", SEEDED_IMAGE, "--", "sh", "-c",
        "sed -i s/image-default/edited-at-start/ /etc/nginx/conf.d/default.conf && exec nginx -g 'daemon off;'");

    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
    assertThat(run.stderr()).contains("seeded /etc/nginx/conf.d from the image (seedPaths) from: sed: ");
    assertThat(run.stdout()).containsPattern("/etc/nginx/conf.d +seedPaths +run 1: sed: ")
        .as("judged by what the image holds there").containsPattern(
            "/etc/nginx/conf.d: holds \\d+ file\\(s\\)( and \\d+ directory\\(ies\\))? in the image: seeded")
        .contains("HTTP check :8081/ answered 200");
    assertThat(TestImage.leftoverProbeContainers()).as("none of this probe's containers is left")
        .isSubsetOf(before);
  }

  // --- helpers ---------------------------------------------------------------------

  static PodSpec hardened(String image, SeedPlatform platform, String spec) {
    var t = template("""
        spec:
          containers:
          - name: nginx
            image: %s
        """.formatted(image));
    Hardening h = new Hardener(platform).harden(t, rules(spec), RevertRecord.EMPTY);
    assertThat(h.changed()).isTrue();
    return h.template().getSpec();
  }

  /** A fresh directory per emptyDir, as the kubelet makes them (mode 0777). */
  static Map<String, Path> emptyDirs(PodSpec pod, Path tmp) throws IOException {
    Map<String, Path> dirs = new HashMap<>();
    for (Volume v : pod.getVolumes()) {
      if (v.getEmptyDir() != null) {
        Path d = Files.createDirectories(tmp.resolve(v.getName()));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        dirs.put(v.getName(), d);
      }
    }
    return dirs;
  }

  static Path volumeAt(PodSpec pod, Map<String, Path> volumes, String mountPath) {
    VolumeMount m = pod.getContainers().get(0).getVolumeMounts().stream()
        .filter(x -> x.getMountPath().equals(mountPath)).findFirst().orElseThrow();
    return volumes.get(m.getName());
  }

  /** Runs {@code c} to the end as the kubelet would: its command, mounts, read-only root, no new privileges. */
  static TestImage.Result run(Container c, Map<String, Path> volumes, List<String> extra) throws IOException {
    List<String> flags = new ArrayList<>(List.of("--rm"));
    flags.addAll(extra);
    return podman(runArgs(c, volumes, flags));
  }

  /** {@code podman run FLAGS ...} of {@code c}: its command, mounts, read-only root, no new privileges. */
  static String[] runArgs(Container c, Map<String, Path> volumes, List<String> flags) {
    List<String> args = new ArrayList<>(List.of("run"));
    args.addAll(flags);
    args.addAll(List.of("--read-only", "--read-only-tmpfs=false", "--security-opt", "no-new-privileges",
        "--network", "none"));
    args.addAll(mounts(c, volumes));
    args.add("--entrypoint");
    args.add(c.getCommand().get(0));
    args.add(c.getImage());
    args.addAll(c.getCommand().subList(1, c.getCommand().size()));
    return args.toArray(String[]::new);
  }

  private static List<String> mounts(Container c, Map<String, Path> volumes) {
    List<String> args = new ArrayList<>();
    for (VolumeMount m : c.getVolumeMounts()) {
      if (volumes.containsKey(m.getName())) {
        args.add("-v");
        args.add(volumes.get(m.getName()) + ":" + m.getMountPath());
      }
    }
    return args;
  }

  /**
   * Runs the app container read-only with its mounts, its entrypoint editing default.conf first;
   * returns nginx's answer, or the output of a start that failed ({@code expectUp} false).
   */
  private String runApp(PodSpec pod, Map<String, Path> volumes, boolean expectUp) throws Exception {
    Container app = pod.getContainers().get(0);
    assertThat(app.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    List<String> args = new ArrayList<>(List.of("run", "-d", "--read-only", "--read-only-tmpfs=false",
        "-p", "127.0.0.1::8081"));
    args.addAll(mounts(app, volumes));
    args.addAll(List.of(app.getImage(), "sh", "-c", "sed -i s/image-default/edited-at-start/ "
        + "/etc/nginx/conf.d/default.conf && exec nginx -g 'daemon off;'"));
    TestImage.Result r = podman(args.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.output()).isZero();
    String id = r.output().strip();
    started.add(id);
    if (!expectUp) {
      podman("wait", id);
      return podman("logs", id).output();
    }
    String port = podman("port", id, "8081/tcp").output().strip();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    for (int i = 0; i < 50; i++) {
      try {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + port + "/")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
      } catch (IOException e) {
        Thread.sleep(200);
      }
    }
    return "no answer from nginx: " + podman("logs", id).output();
  }

  static String listing(Path dir) throws IOException {
    return podman("run", "--rm", "-v", dir + ":/c:ro", IMAGE, "sh", "-c", LIST, "list", "/c").output();
  }

  static String imageListing(String image, String dir) throws IOException {
    return podman("run", "--rm", image, "sh", "-c", LIST, "list", dir).output();
  }
}
