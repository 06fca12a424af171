package dev.rootlock.diagnosis;

import java.util.Optional;

/**
 * Looks into the container's image: what it holds at a directory. Without it (the operator, which
 * never sees image contents) whether a directory holds the image's files is judged from its path
 * ({@link ImageLayout#holdsImageFiles}); with it, from what is really there.
 */
@FunctionalInterface
public interface ImageContents {
  /** Nothing is known of the image: every directory is judged from its path. */
  ImageContents UNKNOWN = dir -> Optional.empty();

  /**
   * @param dir a normalised absolute directory
   * @return what the image holds there, or empty when that cannot be known
   */
  Optional<ImageDirectory> at(String dir);
}
