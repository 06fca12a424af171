package dev.rootlock.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rootlock.diagnosis.ImageDirectory;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

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
  /**
   * Podman copies the image's files at a tmpfs' mount point into it unless told not to; an
   * emptyDir starts empty, so a probe under Podman would pass an app Kubernetes then breaks.
   */
  static final String PODMAN_TMPFS = ",notmpcopyup";
  /** Copying a directory out stops after {@link DirectoryArchive#COUNT_LIMIT} entries; this bounds a stuck engine. */
  private static final Duration COPY_TIMEOUT = Duration.ofMinutes(2);
  /**
   * What {@code cp} says of a path the image lacks. Podman: {@code "/x" could not be found on
   * container ID: no such file or directory}; Docker: {@code Could not find the file /x in
   * container ID}, or {@code No such container:path: ID:/x}.
   */
  private static final Pattern NOT_FOUND = Pattern.compile(
      "(?i)no such file or directory|could not find the file|no such container:path");

  private final EngineCommand command;
  private final boolean podman;
  private final Set<String> live = ConcurrentHashMap.newKeySet();
  private volatile boolean hookAdded;
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  /**
   * @param executable "docker", "podman" or a path to either
   * @param globalArgs flags placed before the subcommand, such as {@code --runtime /usr/sbin/runc}
   */
  public CliEngine(String executable, List<String> globalArgs, boolean podman) {
    this.command = new EngineCommand(executable, globalArgs, podman ? "podman" : "docker");
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
      EngineCommand.Result r = execute(List.of("info"), Duration.ofSeconds(20));
      return r.exitCode() == 0 ? null : name() + " does not answer (" + name() + " info: "
          + EngineCommand.lastLines(r.output().strip(), 2) + ")";
    } catch (EngineException e) {
      return e.getMessage();
    }
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
    return execute(List.of("image", "inspect", image), COMMAND_TIMEOUT).exitCode() == 0;
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
    String name = newName();
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
      args.add(t.getKey() + ":" + t.getValue() + (podman ? PODMAN_TMPFS : ""));
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
    return started(name, args);
  }

  /**
   * Created under a generated name, with no network and (Podman) no VOLUME of the image turned
   * into a volume, so that what is read from it is the image's own filesystem. Its command is a
   * placeholder: an image with neither ENTRYPOINT nor CMD cannot be created without one, and it
   * never runs.
   */
  @Override
  public String create(String image) {
    String name = newName();
    List<String> args = new ArrayList<>(List.of("create", "--name", name, "--label", LABEL, "--network", "none"));
    if (podman) {
      args.add("--image-volume=ignore");
    }
    args.add(image);
    args.add("/rootlock-never-started");
    return started(name, args);
  }

  @Override
  public Optional<ImageDirectory> lookInto(String id, String dir) {
    // Podman follows a symlink at the path (Debian's /var/run); Docker copies the link itself unless -L
    List<String> args = podman ? List.of("cp", id + ":" + dir, "-") : List.of("cp", "-L", id + ":" + dir, "-");
    EngineCommand.Streamed<ImageDirectory> s = command.stream(args, COPY_TIMEOUT,
        out -> DirectoryArchive.read(out, DirectoryArchive.COUNT_LIMIT));
    // a file or a capped count is known from the first headers: the reader stopped, and the engine
    // then fails writing the rest into the closed pipe
    if (s.value() != null && (s.exitCode() == 0 || s.value().capped()
        || s.value().kind() == ImageDirectory.Kind.NOT_A_DIRECTORY)) {
      return Optional.of(s.value());
    }
    if (s.exitCode() != 0) {
      if (NOT_FOUND.matcher(s.errors()).find()) {
        return Optional.of(ImageDirectory.ABSENT);
      }
      throw command.failed(args, s.exitCode(), s.errors());
    }
    return Optional.empty(); // a link the engine did not follow: what it points to is not known
  }

  @Override
  public List<String> diff(String id) {
    return command.stdout(List.of("diff", id), COMMAND_TIMEOUT).lines().filter(l -> !l.isBlank()).toList();
  }

  /** Runs {@code create} or {@code run} for container {@code name}, which is removed again whatever happens. */
  private String started(String name, List<String> args) {
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

  private static String newName() {
    return "rootlock-probe-" + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE);
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
    EngineCommand.Result r = execute(List.of("exec", id, "sh", "-c", command), timeout);
    return new ExecResult(r.exitCode(), r.output());
  }

  @Override
  public void remove(String id) {
    try {
      // kill first: rm -f would wait for SIGTERM's grace period (10 s) on a PID 1 that ignores it
      execute(List.of("kill", id), COMMAND_TIMEOUT);
      // -v: its anonymous volumes too
      EngineCommand.Result r = execute(List.of("rm", "-f", "-v", id), COMMAND_TIMEOUT);
      if (r.exitCode() == 0) {
        live.remove(id);
      }
    } catch (EngineException e) {
      // the engine cannot be started or does not answer: the label still finds the container
    }
  }

  private void removeAll() {
    for (String id : List.copyOf(live)) {
      remove(id);
    }
  }

  private String call(List<String> args, Duration timeout) {
    return command.call(args, timeout);
  }

  private String json(List<String> args) {
    return command.stdout(args, COMMAND_TIMEOUT);
  }

  private EngineCommand.Result execute(List<String> args, Duration timeout) {
    return command.run(args, timeout, false);
  }

  private static JsonNode first(String json) {
    try {
      JsonNode n = JSON.readTree(json);
      return n.isArray() && !n.isEmpty() ? n.get(0) : n;
    } catch (IOException e) {
      throw new EngineException("unexpected inspect output: " + EngineCommand.lastLines(json, 2));
    }
  }
}
