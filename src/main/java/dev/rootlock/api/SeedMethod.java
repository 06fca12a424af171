package dev.rootlock.api;

/** How a seeded path gets the image's files (docs/seeding.md). */
public enum SeedMethod {
  /**
   * The app's image mounted read-only as an {@code image} volume (Kubernetes 1.35+) and copied by a
   * small copier image; works for images without a shell.
   */
  ImageVolume,
  /** The container's own image copies with its own shell and {@code cp}; needs both in the image. */
  Copy,
  /** ImageVolume where the API server serves image volumes, else Copy. */
  Auto
}
