package dev.rootlock.diagnosis;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every place a program's output says it needed to write, one entry per distinct directory, most
 * severe first and in order of appearance within a severity (so the fatal line comes before an
 * entrypoint's info line printed above it).
 */
public record Diagnosis(List<Need> needs) {
  public static final Diagnosis NONE = new Diagnosis(List.of());
  /** At most this many needs are spelled out in a message; workload messages must stay short. */
  static final int MESSAGE_LIMIT = 4;

  public Diagnosis {
    needs = List.copyOf(needs);
  }

  public boolean isEmpty() {
    return needs.isEmpty();
  }

  /** The most severe need: what the program died of. */
  public Optional<Need> primary() {
    return needs.stream().findFirst();
  }

  /** The distinct directories that may be made writable automatically as plain paths, most severe first. */
  public List<String> learnable() {
    return directories(Need::learnable);
  }

  /** The distinct directories that may be made writable automatically as seeded paths, most severe first. */
  public List<String> seedable() {
    return directories(Need::seedable);
  }

  private List<String> directories(java.util.function.Predicate<Need> which) {
    Set<String> out = new LinkedHashSet<>();
    needs.stream().filter(which).forEach(n -> out.add(n.directory()));
    return List.copyOf(out);
  }

  /**
   * "container app failed writing /x/y (read-only file system); add /x to cachePaths", with one
   * clause per need (at most {@value #MESSAGE_LIMIT}).
   */
  public String message(String container) {
    if (needs.isEmpty()) {
      return "container " + container + " shows no read-only-filesystem failure";
    }
    StringBuilder b = new StringBuilder("container ").append(container).append(' ');
    for (int i = 0; i < Math.min(needs.size(), MESSAGE_LIMIT); i++) {
      b.append(i == 0 ? "" : "; it also ").append(needs.get(i).describe());
    }
    if (needs.size() > MESSAGE_LIMIT) {
      b.append("; and ").append(needs.size() - MESSAGE_LIMIT).append(" more");
    }
    return b.toString();
  }
}
