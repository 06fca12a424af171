package dev.rootlock.probe;

import dev.rootlock.diagnosis.ContainerDirectories;
import dev.rootlock.diagnosis.ImageContents;
import dev.rootlock.engine.WritablePath;
import dev.rootlock.probe.ContainerEngine.EngineException;
import dev.rootlock.probe.ContainerEngine.ImageConfig;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** What a probe needs to know of its image before and while it runs it: pulled, inspected, its directories and VOLUMEs. */
final class Images {
  private Images() {}

  /**
   * The image's configuration, pulling it first when the engine does not have it (unless --pull
   * never): {@code image inspect} alone would only say "image not known".
   *
   * @throws EngineException when it is missing and may not be pulled, or the pull fails
   */
  static ImageConfig inspect(ContainerEngine engine, ProbeRequest request, Consumer<String> progress) {
    if (!engine.hasImage(request.image())) {
      if (!request.pull()) {
        throw new EngineException(engine.name() + " does not have the image " + request.image() + " and --pull "
            + "never forbids pulling it: run " + engine.name() + " pull " + request.image() + " first, or drop "
            + "--pull never");
      }
      progress.accept("pulling " + request.image() + " (" + engine.name() + " does not have it)");
      engine.pull(request.image());
    }
    return engine.inspectImage(request.image());
  }

  /** The container's working directory, $TMPDIR (-e wins over the image's ENV) and its files as {@code look} sees them. */
  static ContainerDirectories directories(ImageConfig image, ProbeRequest request, ImageContents look) {
    String tmpDir = null;
    for (List<String> env : List.of(image.env(), request.env())) {
      for (String e : env) {
        if (e.startsWith("TMPDIR=")) {
          tmpDir = e.substring("TMPDIR=".length());
        }
      }
    }
    return new ContainerDirectories(image.workingDir(), tmpDir, look);
  }

  /** A warning when {@code dir} is at or below a VOLUME the image declares: data, not scratch space. */
  static Optional<String> persistentData(ImageConfig image, String dir) {
    WritablePath candidate = new WritablePath(dir, WritablePath.Kind.CACHE);
    return image.volumes().stream().filter(candidate::isCoveredBy).findFirst().map(v -> dir + " is "
        + (v.equals(dir) ? "" : "in ") + "a VOLUME the image declares (" + v + "): it holds data that should "
        + "persist, and a tmpfs loses it at every restart; mount a volume there instead (Compose: volumes:, "
        + "Kubernetes: a PersistentVolumeClaim or a StatefulSet's volumeClaimTemplates)");
  }

  /** Under Docker, which always mounts an anonymous volume there: what the probe could not see. */
  static String unseenVolume(String volume) {
    return volume + " is a VOLUME the image declares: Docker gives it a writable anonymous volume, so this probe "
        + "cannot tell whether the app writes there; under Kubernetes it is part of the read-only root (probe "
        + "with --engine podman)";
  }
}
