package dev.rootlock.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The small Debian image the real-engine tests run under Podman (nginx-light, python3,
 * redis-server), built offline by {@code .ci/test-image}. Missing Podman or image fails the test
 * when -Drootlock.podman.required=true (as .ci/run sets, after building it); elsewhere the test is
 * skipped with how to get it.
 */
public final class TestImage {
  /** Keep in step with .ci/test-image. */
  public static final String IMAGE = "localhost/rootlock-test:1";
  /** Every probe container carries it; none may be left behind. */
  public static final String PROBE_LABEL = "dev.rootlock.probe=true";

  private TestImage() {}

  /** Skips (or fails, when required) unless Podman answers and has the image. */
  public static void require() {
    String problem = problem();
    if (problem == null) {
      return;
    }
    String message = problem + ": run `.ci/test-image` (root, with podman, runc and debootstrap from Debian) and, "
        + "on hosts like the CI machine, export CONTAINERS_CONF=.ci/podman/containers.conf (.ci/run does both)";
    if (Boolean.getBoolean("rootlock.podman.required")) {
      throw new IllegalStateException(message);
    }
    assumeTrue(false, message);
  }

  private static String problem() {
    try {
      if (podman("image", "exists", IMAGE).exitCode() != 0) {
        return "Podman does not have " + IMAGE;
      }
      return null;
    } catch (IOException e) {
      return "podman is not installed (" + e.getMessage() + ")";
    }
  }

  /** Probe containers that still exist (there must be none after a probe). */
  public static List<String> leftoverProbeContainers() throws IOException {
    Result r = podman("ps", "-a", "-q", "--filter", "label=" + PROBE_LABEL);
    return r.output().lines().filter(l -> !l.isBlank()).toList();
  }

  /**
   * Builds {@code image} once (kept while it exists): {@link #IMAGE} with the shell {@code steps}
   * run in it, one after another, committed. Offline, like the test image itself.
   *
   * @throws IOException when a step fails (with its output) or the commit does
   */
  public static void derive(String image, String... steps) throws IOException {
    if (podman("image", "exists", image).exitCode() == 0) {
      return;
    }
    String builder = "rootlock-derive-" + java.util.UUID.randomUUID();
    try {
      Result r = podman("run", "--name", builder, IMAGE, "sh", "-c", String.join(" && ", steps));
      if (r.exitCode() != 0) {
        throw new IOException("building " + image + " failed (exit " + r.exitCode() + "): " + r.output());
      }
      Result commit = podman("commit", builder, image);
      if (commit.exitCode() != 0) {
        throw new IOException("podman commit " + image + " failed: " + commit.output());
      }
    } finally {
      podman("rm", "-f", builder);
    }
  }

  /** Output (stdout and stderr together) and exit code of one podman command. */
  public record Result(int exitCode, String output) {}

  public static Result podman(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("podman"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("podman " + String.join(" ", args) + " did not finish in 120 s");
      }
      return new Result(p.exitValue(), out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
