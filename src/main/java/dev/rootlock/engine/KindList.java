package dev.rootlock.engine;

import dev.rootlock.api.ControllerKind;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** spec.kinds validated: which pod controllers a policy selects. */
final class KindList {
  private static final String KIND_NAMES = String.join(", ",
      EnumSet.allOf(ControllerKind.class).stream().map(Enum::name).toList());

  private KindList() {}

  /**
   * spec.kinds: absent means all four; every entry must be one of them, once. Adds a
   * {@link SpecError} naming {@code spec.kinds} or {@code spec.kinds[i]} for each problem.
   */
  static Set<ControllerKind> read(List<String> names, List<SpecError> errors) {
    if (names == null) {
      return PolicyRules.ALL_KINDS;
    }
    if (names.isEmpty()) {
      errors.add(new SpecError("spec.kinds", "names no kind; list at least one of " + KIND_NAMES
          + ", or leave it out to select all four"));
      return PolicyRules.ALL_KINDS;
    }
    Set<ControllerKind> kinds = EnumSet.noneOf(ControllerKind.class);
    for (int i = 0; i < names.size(); i++) {
      String field = "spec.kinds[" + i + "]";
      ControllerKind kind = kindNamed(names.get(i));
      if (kind == null) {
        errors.add(new SpecError(field, "\"" + names.get(i) + "\" is not a kind a policy selects; use one of "
            + KIND_NAMES));
      } else if (!kinds.add(kind)) {
        errors.add(new SpecError(field, kind + " is listed twice"));
      }
    }
    return kinds;
  }

  private static ControllerKind kindNamed(String name) {
    for (ControllerKind k : ControllerKind.values()) {
      if (k.name().equals(name)) {
        return k;
      }
    }
    return null;
  }
}
