package dev.rootlock.diagnosis;

import dev.rootlock.diagnosis.LineSyntax.Found;
import dev.rootlock.diagnosis.LineSyntax.Role;
import dev.rootlock.diagnosis.ReadOnlyFilesystemErrors.Ranked;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what a container wrote from its engine's {@code diff} ({@code docker diff}, {@code podman
 * diff}: {@code A /var/cache/app/c.json}, {@code C /var}, {@code D /run/adduser}) into the same
 * needs a crash's output gives, judged by the same rule: every directory the app wrote, including
 * writes that never make it fail. Pure, but for what the context's {@link ImageContents} looks up.
 */
public final class ContainerChanges {
  private static final Pattern LINE = Pattern.compile("^(?<k>[ACD])\\s+(?<p>/.*)$");

  private ContainerChanges() {}

  /**
   * @param needs one per directory, in the order the diff names them; each need's line is the
   *     diff line prefixed with {@code source}
   * @param ignored diff lines that name no write of the app's, each with why
   */
  public record Reading(List<Need> needs, List<String> ignored) {
    public Reading {
      needs = List.copyOf(needs);
      ignored = List.copyOf(ignored);
    }
  }

  /**
   * Only the deepest entries count: a {@code C /var} above {@code A /var/cache/app} is the way
   * there. An added or deleted entry is a write into its directory (its extension decides file or
   * directory, as for crash output); a changed entry with nothing listed below it is a changed
   * file, unless the image has a directory there (the engine's own mounts: {@code C /etc} for
   * /etc/hosts), which is ignored. Runtime-managed places (/proc, /sys, /dev, /run/secrets,
   * /etc/hosts, /etc/hostname, /etc/resolv.conf) are ignored too.
   *
   * @param lines the diff's lines; a line that is no change is skipped
   * @param source what the lines are, for each need's line ("podman diff")
   */
  public static Reading read(List<String> lines, ContainerDirectories context, String source) {
    List<String[]> changes = new ArrayList<>();
    for (String line : lines) {
      Matcher m = LINE.matcher(line.strip());
      if (m.matches()) {
        changes.add(new String[] {m.group("k"), ImageLayout.normalise(m.group("p"))});
      }
    }
    Map<String, Ranked> byDirectory = new LinkedHashMap<>();
    List<String> ignored = new ArrayList<>();
    for (String[] change : changes) {
      String kind = change[0];
      String path = change[1];
      if (changes.stream().anyMatch(o -> !o[1].equals(path) && ImageLayout.isAtOrUnder(o[1], path))) {
        continue; // a directory on the way to a deeper change
      }
      String line = kind + " " + path;
      if (ImageLayout.isRuntimeManaged(path)) {
        ignored.add(line + ": managed by the container runtime");
        continue;
      }
      if (kind.equals("C") && context.image().at(path).map(d -> d.kind() == ImageDirectory.Kind.EMPTY
          || d.kind() == ImageDirectory.Kind.HOLDS_FILES).orElse(false)) {
        ignored.add(line + ": a directory changed with nothing listed below it (the engine's own mounts)");
        continue;
      }
      Role role = kind.equals("C") ? Role.FILE : Role.UNKNOWN;
      Need need = ReadOnlyFilesystemErrors.resolve(new Found(path, role, null), Severity.UNLABELED,
          source + ": " + line, context);
      byDirectory.putIfAbsent(need.directory(), new Ranked(byDirectory.size(), need));
    }
    List<Need> needs = byDirectory.values().stream()
        .filter(r -> !ReadOnlyFilesystemErrors.coveredByAnother(r.need(), byDirectory.values()))
        .map(Ranked::need).toList();
    return new Reading(needs, ignored);
  }
}
