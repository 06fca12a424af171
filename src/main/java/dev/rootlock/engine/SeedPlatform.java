package dev.rootlock.engine;

import dev.rootlock.api.SeedMethod;

/**
 * What the cluster offers seeding, decided outside the engine (by the operator from the API
 * server's version, by {@code plan} from its flags): whether image volumes are served, and which
 * image copies the files out of one. The engine only applies it, so every caller that passes the
 * same platform gets the same template.
 *
 * @param imageVolumes true when the API server serves {@code image} volumes (Kubernetes 1.35+, where
 *     they are on by default); {@link SeedMethod#Auto} then means {@link SeedMethod#ImageVolume}
 * @param copierImage the image whose shell and {@code cp} copy out of an image volume
 *     ({@code --seed-image}); it needs {@code sh}, {@code cp}, {@code rm}, {@code chmod} and, for
 *     symlinks in a seeded path, {@code readlink} (docs/seeding.md)
 */
public record SeedPlatform(boolean imageVolumes, String copierImage) {
  /** The Rootlock image: Ubuntu-based (eclipse-temurin), so it has a POSIX shell and GNU coreutils. */
  public static final String DEFAULT_COPIER_IMAGE = "ghcr.io/rootlock/rootlock-operator:0.1.0";
  /** Without knowledge of the cluster: Auto means Copy, which every Kubernetes version runs. */
  public static final SeedPlatform DEFAULT = new SeedPlatform(false, DEFAULT_COPIER_IMAGE);

  public SeedPlatform {
    if (copierImage == null || copierImage.isBlank()) {
      throw new IllegalArgumentException("the seed copier image must be named");
    }
  }

  /** The first Kubernetes minor (of major 1) whose API server serves image volumes by default. */
  public static final int IMAGE_VOLUMES_SINCE_MINOR = 35;

  /**
   * The platform of an API server that reports {@code major}.{@code minor} on {@code /version}
   * (minor as servers print it, "35" or, on some managed clusters, "35+"); a version that does
   * not parse counts as one without image volumes, where Copy still works.
   */
  public static SeedPlatform forServer(String major, String minor, String copierImage) {
    return new SeedPlatform(number(major) > 1 || (number(major) == 1 && number(minor) >= IMAGE_VOLUMES_SINCE_MINOR),
        copierImage);
  }

  private static int number(String s) {
    String digits = s == null ? "" : s.replaceFirst("^\\s*(\\d+).*$", "$1");
    boolean number = !digits.isEmpty() && digits.length() <= 6 && digits.chars().allMatch(Character::isDigit);
    return number ? Integer.parseInt(digits) : -1;
  }

  /** The method a policy's {@code spec.seed.method} means on this platform: never Auto. */
  public SeedMethod resolve(SeedMethod asked) {
    if (asked == null || asked == SeedMethod.Auto) {
      return imageVolumes ? SeedMethod.ImageVolume : SeedMethod.Copy;
    }
    return asked;
  }
}
