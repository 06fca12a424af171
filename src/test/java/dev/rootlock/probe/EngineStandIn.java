package dev.rootlock.probe;

import dev.rootlock.diagnosis.ImageDirectory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A container engine that plays an app: for each run it decides, from the tmpfs paths it was
 * given, whether the app keeps running or exits with some output. Records what was asked of it.
 */
final class EngineStandIn implements ContainerEngine {
  /** What the app does in one run. */
  record Behaviour(boolean running, int exitCode, String logs) {
    static Behaviour runs(String logs) {
      return new Behaviour(true, 0, logs);
    }

    static Behaviour exits(int code, String logs) {
      return new Behaviour(false, code, logs);
    }
  }

  final List<RunSpec> runs = new ArrayList<>();
  /** Run containers removed. */
  final List<String> removed = new ArrayList<>();
  /** Containers made to look into the image ({@link #create}) removed. */
  final List<String> removedLooks = new ArrayList<>();
  final Deque<ExecResult> execResults = new ArrayDeque<>();
  private final Function<RunSpec, Behaviour> app;
  private final ImageConfig image;
  private Behaviour current;
  boolean podman = true;
  boolean failLogs;

  EngineStandIn(ImageConfig image, Function<RunSpec, Behaviour> app) {
    this.image = image;
    this.app = app;
  }

  EngineStandIn(Function<RunSpec, Behaviour> app) {
    this(new ImageConfig("/", List.of()), app);
  }

  @Override
  public boolean isPodman() {
    return podman;
  }

  @Override
  public ImageConfig inspectImage(String image) {
    return this.image;
  }

  /** Images the engine has; null: every image. */
  java.util.Set<String> images;
  final List<String> pulled = new ArrayList<>();

  @Override
  public boolean hasImage(String image) {
    return images == null || images.contains(image);
  }

  @Override
  public void pull(String image) {
    pulled.add(image);
    images.add(image);
  }

  @Override
  public String run(RunSpec spec) {
    runs.add(spec);
    current = app.apply(spec);
    statesRead = 0;
    return "c" + runs.size();
  }

  @Override
  public ContainerState state(String id) {
    if (exitsJustAfterStart && statesRead++ == 0) {
      return new ContainerState(true, 0, false);
    }
    return new ContainerState(current.running(), current.exitCode(), false);
  }

  @Override
  public String logs(String id) {
    if (failLogs) {
      throw new EngineException("podman logs " + id + " failed");
    }
    return current.logs();
  }

  /**
   * A container that exits a moment after it started: the first state read of a run that exits
   * still says running, and its port is then gone, as podman port answers for an exited container.
   */
  boolean exitsJustAfterStart;
  private int statesRead;

  @Override
  public String hostPort(String id, int port) {
    if (exitsJustAfterStart && !current.running()) {
      throw new EngineException("podman port " + id + " " + port + "/tcp: the port is not published");
    }
    return "127.0.0.1:40000";
  }

  @Override
  public ExecResult exec(String id, String command, Duration timeout) {
    return execResults.isEmpty() ? new ExecResult(0, "") : execResults.poll();
  }

  /** What the image holds, by directory: a directory not listed is one the engine cannot tell about. */
  final java.util.Map<String, ImageDirectory> imageFiles = new java.util.HashMap<>();
  /** The directories looked into, in order. */
  final List<String> lookedInto = new ArrayList<>();
  final List<String> created = new ArrayList<>();
  /** When set, create fails with this message. */
  String createFails;

  @Override
  public String create(String image) {
    if (createFails != null) {
      throw new EngineException(createFails);
    }
    created.add(image);
    return "look" + created.size();
  }

  @Override
  public Optional<ImageDirectory> lookInto(String id, String dir) {
    lookedInto.add(dir);
    return Optional.ofNullable(imageFiles.get(dir));
  }

  /** What the engine's diff says of a container (the same for every run). */
  List<String> diffLines = List.of();
  /** The containers whose diff was read. */
  final List<String> diffed = new ArrayList<>();

  @Override
  public List<String> diff(String id) {
    diffed.add(id);
    return diffLines;
  }

  @Override
  public void remove(String id) {
    (id.startsWith("look") ? removedLooks : removed).add(id);
  }
}
