package dev.rootlock.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * Names for injected volumes: valid DNS labels of at most 63 characters, readable
 * ({@code rl-app-tmp-3f9a1c}), the same for the same container and path on every run, and never
 * equal to a name already in the pod.
 */
public final class VolumeNames {
  static final String PREFIX = "rl-";
  private static final int PART = 24;

  private VolumeNames() {}

  /** Whether {@code name} is one Rootlock gives the volumes it injects ({@code plan} reads no revert record). */
  public static boolean isRootlocks(String name) {
    return name != null && name.startsWith(PREFIX);
  }

  static String forInjection(String container, String path, Set<String> taken) {
    String base = PREFIX + join(slug(container), slug(path.substring(path.lastIndexOf('/') + 1)));
    for (int salt = 0; ; salt++) {
      String name = base + "-" + hash(container + "\u0000" + path + "\u0000" + salt);
      if (!taken.contains(name)) {
        return name;
      }
    }
  }

  private static String join(String a, String b) {
    if (a.isEmpty()) {
      return b.isEmpty() ? "v" : b;
    }
    return b.isEmpty() ? a : a + "-" + b;
  }

  /** Lower-case alphanumerics and single dashes, at most {@value #PART} characters, no edge dashes. */
  static String slug(String s) {
    String slug = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    if (slug.length() > PART) {
      slug = slug.substring(0, PART);
    }
    return slug.replaceAll("^-+|-+$", "");
  }

  static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 3);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
