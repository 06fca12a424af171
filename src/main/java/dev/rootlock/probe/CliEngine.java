package dev.rootlock.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Docker or Podman driven through its command line, so that whatever the user has configured
 * (contexts, rootless setups, registries, CONTAINERS_CONF) applies as it does at their prompt.
 * Every container it starts is removed again: by {@link #remove}, and by a shutdown hook on
 * Ctrl-C or any other exit.
 */
public final class CliEngine implements ContainerEngine {
  /** Label on every probe container, so that a leftover one can be found ({@code docker ps -a --filter}). */
  public static final String LABEL = "dev.rootlock.probe=true";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  /** A large image over a slow link takes minutes; longer than this is a stuck registry. */
  private static final Duration PULL_TIMEOUT = Duration.ofMinutes(15);

  private final String executable;
  private final List<String> globalArgs;
  private final boolean podman;
  private final Set<String> live = ConcurrentHashMap.newKeySet();
  private volatile boolean hookAdded;
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  /**
   * @param executable "docker", "podman" or a path to either
   * @param globalArgs flags placed before the subcommand, such as {@code --runtime /usr/sbin/runc}
   */
  public CliEngine(String executable, List<String> globalArgs, boolean podman) {
    this.executable = executable;
    this.globalArgs = List.copyOf(globalArgs);
    this.podman = podman;
  }

  /**
   * The engine to use: {@code requested} ("docker" or "podman") when given, else Docker when its
   * daemon answers, else Podman.
   *
   * @throws EngineException naming, for each engine tried, why it cannot be used
   */
  public static CliEngine choose(String requested, List<String> globalArgs) {
    List<String> names = requested == null ? List.of("docker", "podman") : List.of(requested);
    List<String> problems = new ArrayList<>();
    for (String name : names) {
      CliEngine engine = new CliEngine(name, globalArgs, name.equals("podman"));
      String problem = engine.problem();
      if (problem == null) {
        return engine;
      }
      problems.add(problem);
    }
    throw new EngineException("no usable container engine: " + String.join("; ", problems)
        + (requested == null ? "; install Podman (apt-get install podman) or start Docker" : ""));
  }

  /** Null when the engine answers; else why not (for Docker: that its daemon does not answer). */
  String problem() {
    try {
      Result r = execute(List.of("info"), Duration.ofSeconds(20));
      return r.exitCode == 0 ? null : name() + " does not answer (" + name() + " info: "
          + lastLines(r.output.strip(), 2) + ")";
    } catch (EngineException e) {
      return e.getMessage();
    }
  }

  @Override
  public String name() {
    return podman ? "podman" : "docker";
  }

  @Override
  public boolean isPodman() {
    return podman;
  }

  @Override
  public ImageConfig inspectImage(String image) {
    JsonNode config = first(json(List.of("image", "inspect", image))).path("Config");
    String dir = config.path("WorkingDir").asText("");
    List<String> env = new ArrayList<>();
    config.path("Env").forEach(e -> env.add(e.asText()));
    List<String> volumes = new ArrayList<>();
    config.path("Volumes").fieldNames().forEachRemaining(volumes::add);
    return new ImageConfig(dir.isEmpty() ? "/" : dir, env, volumes);
  }

  @Override
  public boolean hasImage(String image) {
    return execute(List.of("image", "inspect", image), COMMAND_TIMEOUT).exitCode == 0;
  }

  @Override
  public void pull(String image) {
    call(List.of("pull", image), PULL_TIMEOUT);
  }

  /**
   * Starts the container under a generated name, so that it can be removed even when the engine
   * fails after creating it (a runtime error at start leaves a created container behind).
   */
  @Override
  public String run(RunSpec spec) {
    String name = "rootlock-probe-" + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE);
    List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name, "--label", LABEL));
    if (spec.readOnly()) {
      args.add("--read-only");
    }
    if (podman && spec.readOnly()) {
      args.add("--read-only-tmpfs=false"); // else /tmp, /var/tmp and /run are writable, unlike Kubernetes
      args.add("--image-volume=ignore"); // else each VOLUME of the image is a writable volume, unlike Kubernetes
    }
    for (Map.Entry<String, String> t : spec.tmpfs().entrySet()) {
      args.add("--tmpfs");
      args.add(t.getKey() + ":" + t.getValue());
    }
    for (String path : spec.seeded()) {
      args.add("-v");
      args.add(path); // an anonymous volume: Docker and Podman copy the image's directory into it
    }
    for (String e : spec.env()) {
      args.add("-e");
      args.add(e);
    }
    if (spec.user() != null) {
      args.add("-u");
      args.add(spec.user());
    }
    if (spec.publish() != null) {
      args.add("-p");
      args.add("127.0.0.1::" + spec.publish());
    } else {
      args.add("--network");
      args.add("none");
    }
    args.add(spec.image());
    args.addAll(spec.command());
    if (!hookAdded) {
      hookAdded = true;
      Runtime.getRuntime().addShutdownHook(new Thread(this::removeAll, "rootlock-probe-cleanup"));
    }
    live.add(name);
    try {
      call(args, COMMAND_TIMEOUT);
    } catch (EngineException e) {
      remove(name);
      throw e;
    }
    return name;
  }

  @Override
  public ContainerState state(String id) {
    JsonNode s = first(json(List.of("inspect", id))).path("State");
    return new ContainerState(s.path("Running").asBoolean(false), s.path("ExitCode").asInt(0),
        s.path("OOMKilled").asBoolean(false));
  }

  @Override
  public String logs(String id) {
    return call(List.of("logs", id), COMMAND_TIMEOUT);
  }

  @Override
  public String hostPort(String id, int port) {
    String out = call(List.of("port", id, port + "/tcp"), COMMAND_TIMEOUT).strip();
    String first = out.lines().findFirst().orElse("").strip();
    if (first.isEmpty()) {
      throw new EngineException(name() + " port " + id + " " + port + "/tcp: the port is not published");
    }
    return first.replace("0.0.0.0:", "127.0.0.1:");
  }

  @Override
  public ExecResult exec(String id, String command, Duration timeout) {
    Result r = execute(List.of("exec", id, "sh", "-c", command), timeout);
    return new ExecResult(r.exitCode, r.output);
  }

  @Override
  public void remove(String id) {
    // kill first: rm -f would wait for SIGTERM's grace period (10 s) on a PID 1 that ignores it
    execute(List.of("kill", id), COMMAND_TIMEOUT);
    Result r = execute(List.of("rm", "-f", "-v", id), COMMAND_TIMEOUT); // -v: its anonymous volumes too
    if (r.exitCode == 0) {
      live.remove(id);
    }
  }

  private void removeAll() {
    for (String id : List.copyOf(live)) {
      remove(id);
    }
  }

  private String call(List<String> args, Duration timeout) {
    Result r = execute(args, timeout);
    if (r.exitCode != 0) {
      String out = r.output.strip();
      throw new EngineException(describe(args) + " failed (exit " + r.exitCode + ")"
          + (out.isEmpty() ? "" : ": " + lastLines(out, 3)));
    }
    return r.output;
  }

  /**
   * The JSON a command prints on stdout. Its stderr is kept apart: Podman warns there while
   * answering (a learned path that is a symlink in the image, such as Debian's /var/run, gives
   * "Could not find mount at destination"), and a warning is not part of the JSON.
   */
  private String json(List<String> args) {
    Result r = execute(args, COMMAND_TIMEOUT, true);
    if (r.exitCode != 0) {
      String out = (r.output + "\n" + r.errors).strip();
      throw new EngineException(describe(args) + " failed (exit " + r.exitCode + ")"
          + (out.isEmpty() ? "" : ": " + lastLines(out, 3)));
    }
    return r.output;
  }

  /** @param errors stderr when read apart from stdout, else "" (it is in {@code output}) */
  private record Result(int exitCode, String output, String errors) {}

  private Result execute(List<String> args, Duration timeout) {
    return execute(args, timeout, false);
  }

  private Result execute(List<String> args, Duration timeout, boolean stderrApart) {
    List<String> command = new ArrayList<>();
    command.add(executable);
    command.addAll(globalArgs);
    command.addAll(args);
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(!stderrApart).start();
    } catch (IOException e) {
      throw new EngineException("cannot start " + executable + ": " + e.getMessage());
    }
    try {
      p.getOutputStream().close(); // nothing to say to it: commands that read stdin see EOF
    } catch (IOException ignored) {
      // the process has already gone; its exit code says why
    }
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> errors = stderrApart ? CompletableFuture.supplyAsync(() -> read(p.getErrorStream()))
        : CompletableFuture.completedFuture("");
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new EngineException(describe(args) + " did not finish within " + timeout.toSeconds() + " s");
      }
      return new Result(p.exitValue(), output.get(5, TimeUnit.SECONDS), errors.get(5, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new EngineException(describe(args) + " was interrupted");
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new EngineException(describe(args) + ": cannot read its output: " + e.getMessage());
    }
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private String describe(List<String> args) {
    return name() + " " + String.join(" ", args.size() > 4 ? args.subList(0, 4) : args)
        + (args.size() > 4 ? " ..." : "");
  }

  private static JsonNode first(String json) {
    try {
      JsonNode n = JSON.readTree(json);
      return n.isArray() && !n.isEmpty() ? n.get(0) : n;
    } catch (IOException e) {
      throw new EngineException("unexpected inspect output: " + lastLines(json, 2));
    }
  }

  static String lastLines(String text, int n) {
    List<String> lines = text.strip().lines().toList();
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
  }
}
