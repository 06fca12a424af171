package dev.rootlock.probe;

import dev.rootlock.diagnosis.ImageDirectory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code rootlock probe} needs from a container engine: the run, create, cp, inspect, logs,
 * port, exec and rm surface that Docker and Podman share. Every call either answers or throws
 * {@link EngineException} with the engine's own message.
 */
public interface ContainerEngine {
  /** "docker" or "podman", as users name it. */
  default String name() {
    return isPodman() ? "podman" : "docker";
  }

  /** True for Podman, whose {@code --read-only} also makes /tmp, /var/tmp and /run writable unless told not to. */
  boolean isPodman();

  /** The image's configuration; throws when the engine does not have the image. */
  ImageConfig inspectImage(String image);

  /** Whether the engine has the image locally (false, not a throw, when it does not). */
  boolean hasImage(String image);

  /** Pulls the image from its registry; throws with the engine's message when that fails. */
  void pull(String image);

  /** Starts a container detached; returns its id. */
  String run(RunSpec spec);

  ContainerState state(String id);

  /** Everything the container printed, stdout and stderr. */
  String logs(String id);

  /** The loopback host:port that container port {@code port}/tcp is published on. */
  String hostPort(String id, int port);

  /** Runs {@code sh -c command} in the container. */
  ExecResult exec(String id, String command, Duration timeout);

  /**
   * Creates a container from the image without starting it, to look into the image's files with
   * {@link #lookInto}: nothing of the image runs, so it works for an image without a shell
   * (distroless) too. Remove it with {@link #remove}.
   *
   * @return its id
   */
  String create(String image);

  /**
   * What the filesystem of container {@code id} (created, never started) holds at {@code dir}, read
   * from the engine's {@code cp} archive of it: absent, empty, holding files (counted up to a
   * limit) or a file. Empty when the engine's answer cannot tell (a link it did not follow).
   *
   * @param dir a normalised absolute path
   * @throws EngineException when the engine fails for another reason than a missing path
   */
  Optional<ImageDirectory> lookInto(String id, String dir);

  /**
   * The engine's {@code diff} of the container: one line per path added, changed or deleted in its
   * filesystem since it was created ({@code A /var/cache/app}, {@code C /var}, {@code D /x}).
   */
  List<String> diff(String id);

  /** Stops (SIGKILL) and removes the container; never throws. */
  void remove(String id);

  /**
   * How a container is started.
   *
   * @param tmpfs mount point → tmpfs options ({@code rw,size=67108864,mode=1777}), in order
   * @param env NAME=VALUE pairs
   * @param user the -u value, or null for the image's user
   * @param publish a container port to publish on a loopback port chosen by the engine, or null
   *     for no network at all
   * @param seeded mount points of anonymous volumes, which the engine fills from the image's
   *     directory there on first use (seeded paths; removed with the container)
   * @param readOnly false only for the one comparison run with a writable root
   */
  record RunSpec(String image, List<String> command, Map<String, String> tmpfs, List<String> env, String user,
      Integer publish, List<String> seeded, boolean readOnly) {
    public RunSpec {
      command = List.copyOf(command);
      tmpfs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tmpfs));
      env = List.copyOf(env);
      seeded = seeded == null ? List.of() : List.copyOf(seeded);
    }

    RunSpec(String image, List<String> command, Map<String, String> tmpfs, List<String> env, String user,
        Integer publish) {
      this(image, command, tmpfs, env, user, publish, List.of(), true);
    }
  }

  /**
   * @param workingDir the image's WORKDIR, "/" when it sets none
   * @param env the image's environment as NAME=VALUE
   * @param volumes the image's declared VOLUME directories: data it expects to persist
   */
  record ImageConfig(String workingDir, List<String> env, List<String> volumes) {
    public ImageConfig {
      env = List.copyOf(env);
      volumes = List.copyOf(volumes);
    }

    public ImageConfig(String workingDir, List<String> env) {
      this(workingDir, env, List.of());
    }
  }

  /**
   * @param running true while the container runs
   * @param exitCode its exit code once it has stopped
   * @param oomKilled true when the kernel killed it for memory (a full tmpfs counts)
   */
  record ContainerState(boolean running, int exitCode, boolean oomKilled) {}

  record ExecResult(int exitCode, String output) {}

  /** The engine refused or failed; the message is the engine's own, with the command that failed. */
  final class EngineException extends RuntimeException {
    public EngineException(String message) {
      super(message);
    }
  }
}
