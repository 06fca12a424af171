package dev.rootlock.probe;

import dev.rootlock.diagnosis.ImageContents;
import dev.rootlock.diagnosis.ImageDirectory;
import dev.rootlock.probe.ContainerEngine.EngineException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The probed image looked into, for the diagnosis to judge each directory by what is really there:
 * one created, never-started container for the whole probe (made on the first question, removed by
 * {@link #close}), one {@code cp} per directory, each answer kept. When the engine cannot answer,
 * directories are judged by their path as the operator does, and a warning says so.
 */
final class ImageLook implements ImageContents, AutoCloseable {
  private final ContainerEngine engine;
  private final String image;
  private final Consumer<String> progress;
  private final Map<String, Optional<ImageDirectory>> asked = new HashMap<>();
  private String container;
  private String failure;

  /** @param progress told when the image cannot be looked into */
  ImageLook(ContainerEngine engine, String image, Consumer<String> progress) {
    this.engine = engine;
    this.image = image;
    this.progress = progress;
  }

  @Override
  public Optional<ImageDirectory> at(String dir) {
    if (failure != null) {
      return Optional.empty();
    }
    Optional<ImageDirectory> known = asked.get(dir);
    if (known == null) {
      known = lookUp(dir);
      asked.put(dir, known);
    }
    return known;
  }

  /** What was found at {@code dir} if the diagnosis asked about it (nothing is looked up here). */
  Optional<ImageDirectory> found(String dir) {
    return asked.getOrDefault(dir, Optional.empty());
  }

  /** Why the image could not be looked into, as a warning for the result; null when it could. */
  String failure() {
    return failure == null ? null : "cannot look into the image (" + failure + "): directories were judged by "
        + "their path alone";
  }

  private Optional<ImageDirectory> lookUp(String dir) {
    try {
      if (container == null) {
        container = engine.create(image);
      }
      return engine.lookInto(container, dir);
    } catch (EngineException e) {
      failure = e.getMessage();
      progress.accept("  warning: " + failure());
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    if (container != null) {
      engine.remove(container);
      container = null;
    }
  }
}
