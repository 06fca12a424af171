package dev.rootlock.diagnosis;

/**
 * What the container's spec says about where relative paths and temporary files go, and what is
 * known of its image's files.
 *
 * @param workingDir the container's working directory when known (the pod template's
 *     {@code workingDir}, or the image's as {@code docker image inspect} reports it), else null
 * @param tmpDir the value of {@code TMPDIR} in the container's environment when known, else null
 *     (then /tmp, as shells and most runtimes default)
 * @param image what the image holds at a directory, where that can be looked up; null reads as
 *     {@link ImageContents#UNKNOWN}
 */
public record ContainerDirectories(String workingDir, String tmpDir, ImageContents image) {
  public static final ContainerDirectories UNKNOWN = new ContainerDirectories(null, null);

  public ContainerDirectories {
    workingDir = absoluteOrNull(workingDir);
    tmpDir = absoluteOrNull(tmpDir);
    image = image == null ? ImageContents.UNKNOWN : image;
  }

  /** Directories of a container whose image cannot be looked into. */
  public ContainerDirectories(String workingDir, String tmpDir) {
    this(workingDir, tmpDir, ImageContents.UNKNOWN);
  }

  /** $TMPDIR, else /tmp. */
  public String tmpDirOrDefault() {
    return tmpDir == null ? "/tmp" : tmpDir;
  }

  private static String absoluteOrNull(String path) {
    return path == null || !path.startsWith("/") ? null : ImageLayout.normalise(path);
  }
}
