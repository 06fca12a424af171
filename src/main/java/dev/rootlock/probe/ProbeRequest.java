package dev.rootlock.probe;

import dev.rootlock.engine.WritablePath;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.util.List;

/**
 * One {@code rootlock probe} invocation, validated.
 *
 * @param command the command and arguments after {@code --}; empty for the image's own
 * @param env NAME=VALUE pairs passed with -e
 * @param user the -u value, or null
 * @param paths writable from the first run on (--policy, --tmp-path, --cache-path)
 * @param sizeLimit the size of every tmpfs, as the policy's sizeLimit
 * @param settle how long a container must keep running to count as started
 * @param tries at most this many runs
 * @param httpCheck a request that must succeed once it has settled, or null
 * @param execCheck a shell command that must exit 0 in the container once it has settled, or null
 * @param pull whether an image the engine does not have is pulled first (--pull missing) or refused
 *     (--pull never)
 * @param discover whether a run with a writable root comes first, whose diff names what the app
 *     writes (--discover); it does not count against {@code tries}
 */
public record ProbeRequest(String image, List<String> command, List<String> env, String user,
    List<WritablePath> paths, Quantity sizeLimit, Duration settle, int tries, HttpCheck httpCheck,
    String execCheck, boolean pull, boolean discover) {

  public ProbeRequest {
    command = List.copyOf(command);
    env = List.copyOf(env);
    paths = List.copyOf(paths);
  }

  /** A request that pulls a missing image. */
  public ProbeRequest(String image, List<String> command, List<String> env, String user, List<WritablePath> paths,
      Quantity sizeLimit, Duration settle, int tries, HttpCheck httpCheck, String execCheck) {
    this(image, command, env, user, paths, sizeLimit, settle, tries, httpCheck, execCheck, true, false);
  }

  /** A request without a discovery run. */
  public ProbeRequest(String image, List<String> command, List<String> env, String user, List<WritablePath> paths,
      Quantity sizeLimit, Duration settle, int tries, HttpCheck httpCheck, String execCheck, boolean pull) {
    this(image, command, env, user, paths, sizeLimit, settle, tries, httpCheck, execCheck, pull, false);
  }

  /** This request with a discovery run first (--discover). */
  public ProbeRequest discovering() {
    return new ProbeRequest(image, command, env, user, paths, sizeLimit, settle, tries, httpCheck, execCheck, pull,
        true);
  }

  public boolean hasChecks() {
    return httpCheck != null || execCheck != null;
  }

  /** True when the container needs a network: only for the HTTP check. */
  public boolean needsPort() {
    return httpCheck != null;
  }

  /**
   * {@code --http-check PORT[/PATH]}: a GET to the published port that must answer 2xx or 3xx.
   *
   * @param path starts with "/"
   */
  public record HttpCheck(int port, String path) {
    /** @throws IllegalArgumentException naming the value when it is not PORT or PORT/PATH */
    public static HttpCheck parse(String value) {
      int slash = value.indexOf('/');
      String port = slash < 0 ? value : value.substring(0, slash);
      try {
        int p = Integer.parseInt(port);
        if (p < 1 || p > 65535) {
          throw new NumberFormatException();
        }
        return new HttpCheck(p, slash < 0 ? "/" : value.substring(slash));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + value + "' is not PORT[/PATH], for example 8080/healthz");
      }
    }

    @Override
    public String toString() {
      return port + path;
    }
  }
}
