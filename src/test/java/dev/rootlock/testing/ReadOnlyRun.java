package dev.rootlock.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A real program run read-only under Podman, as Kubernetes runs a container with
 * {@code readOnlyRootFilesystem: true}: what it prints when it cannot write is what the tests feed
 * to the operator as a crashed container's termination message (mock kubelet or KWOK stage).
 */
public final class ReadOnlyRun {
  /** What Debian's nginx needs writable, in the order it fails on them (../shared/notes/podman.md). */
  public static final List<String> NGINX_NEEDS = List.of("/var/lib/nginx", "/var/log/nginx", "/run");

  private ReadOnlyRun() {}

  /** nginx's output in the test image when only {@code writable} are on a tmpfs. */
  public static String nginx(List<String> writable) throws IOException {
    return run(writable, "nginx", "-g", "daemon off;");
  }

  /**
   * Runs the test image read-only (no tmpfs of Podman's own) with a tmpfs at each of {@code
   * writable} until it exits, which it must do with an error; returns its output.
   */
  public static String run(List<String> writable, String... command) throws IOException {
    // named, so that it is removed even when podman created it but could not start it
    String name = "rootlock-readonly-run-" + java.util.UUID.randomUUID();
    List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name, "--label", TestImage.PROBE_LABEL,
        "--network", "none", "--read-only", "--read-only-tmpfs=false"));
    writable.forEach(w -> args.addAll(List.of("--tmpfs", w + ":rw,size=16m,mode=1777")));
    args.add(TestImage.IMAGE);
    args.addAll(List.of(command));
    try {
      TestImage.Result started = TestImage.podman(args.toArray(String[]::new));
      // a podman that cannot start containers here (CONTAINERS_CONF unset: ../shared/notes/podman.md)
      // must fail the test, not hand its own error on as the app's output
      assertThat(started.exitCode()).as("podman run: %s", started.output()).isZero();
      TestImage.Result waited = TestImage.podman("wait", name);
      assertThat(waited.exitCode()).as("podman wait: %s", waited.output()).isZero();
      assertThat(waited.output().strip()).as("the app exits with an error").isNotEqualTo("0");
      return TestImage.podman("logs", name).output();
    } finally {
      TestImage.podman("rm", "-f", "-t", "0", name);
    }
  }

  /** What the kubelet keeps with FallbackToLogsOnError: the last 80 lines, at most 2048 bytes. */
  public static String terminationMessage(String log) {
    List<String> lines = log.lines().toList();
    String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    byte[] bytes = tail.getBytes(StandardCharsets.UTF_8);
    return bytes.length <= 2048 ? tail : new String(bytes, bytes.length - 2048, 2048, StandardCharsets.UTF_8);
  }
}
