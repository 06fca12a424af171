package dev.rootlock.engine;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Glob patterns as people write them for container names and image references: {@code *} any
 * characters (slashes included, so a pattern for {@code vendor-agent} images need not name the
 * registry), {@code ?} one
 * character, everything else literally.
 */
public final class Globs {
  private static final Pattern NAME_GLOB = Pattern.compile("^[a-z0-9*?]([-a-z0-9*?]*[a-z0-9*?])?$");
  private static final Pattern IMAGE_GLOB = Pattern.compile("^[A-Za-z0-9*?][A-Za-z0-9*?._:/@+-]*$");

  private Globs() {}

  /** A compiled pattern, keeping its text for messages. */
  public record Glob(String text, Pattern regex) {
    public boolean matches(String value) {
      return value != null && regex.matcher(value).matches();
    }
  }

  public static Glob compile(String glob) {
    StringBuilder re = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return new Glob(glob, Pattern.compile(re.toString()));
  }

  /** Why {@code glob} is no container name pattern (a DNS label with * and ?), or null. */
  static String nameProblem(String glob) {
    if (glob == null || glob.isEmpty() || glob.length() > 63 || !NAME_GLOB.matcher(glob).matches()) {
      return "\"" + glob + "\" is not a container name or glob pattern (lowercase letters, digits, -, * and ?)";
    }
    return null;
  }

  /** Why {@code glob} is no image reference pattern, or null. */
  static String imageProblem(String glob) {
    if (glob == null || glob.isEmpty() || glob.length() > 255 || !IMAGE_GLOB.matcher(glob).matches()) {
      return "\"" + glob + "\" is not an image reference or glob pattern (such as */vendor-agent:* or "
          + "registry.example.com/team/*)";
    }
    return null;
  }

  /** The first pattern matching {@code value}, or null. */
  static Glob firstMatch(List<Glob> globs, String value) {
    for (Glob g : globs) {
      if (g.matches(value)) {
        return g;
      }
    }
    return null;
  }
}
