package dev.rootlock.plan;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a plan means for a CI gate: exit 1 when something would change, or when a condition the
 * user named with {@code --fail-on} holds; exit 0 otherwise. Every condition that holds is said,
 * whether it fails the gate or not.
 */
public final class PlanGate {
  public static final int PASS = 0;
  public static final int FAIL = 1;

  /** The conditions {@code --fail-on} takes. */
  public enum Condition {
    /** Workloads were read, and no policy selects any of them (a selector typo, a wrong namespace). */
    NOTHING_SELECTED,
    /** A workload plan does not harden (a ReplicaSet, an Argo Rollout, a Pod a controller made). */
    NOT_COVERED,
    /** Several enforcing policies select one workload. */
    CONFLICT,
    /** A planned change comes with a warning (a memory risk, a read-only mount, an exempt container). */
    WARNINGS;

    /** The word on the command line: "nothing-selected". */
    public String flag() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @throws IllegalArgumentException naming the accepted words */
    public static Condition parse(String flag) {
      for (Condition c : values()) {
        if (c.flag().equals(flag.trim())) {
          return c;
        }
      }
      throw new IllegalArgumentException("--fail-on: unknown condition '" + flag.trim() + "'; use "
          + Arrays.stream(values()).map(Condition::flag).collect(Collectors.joining(", ")) + ", or none"
          + Spelling.closest(flag.trim(), Arrays.stream(values()).map(Condition::flag).toList())
              .map(s -> " (did you mean " + s + "?)").orElse(""));
    }
  }

  /** Without {@code --fail-on}: a selector that selects nothing, and policies in conflict, fail the gate. */
  public static final Set<Condition> DEFAULT = EnumSet.of(Condition.NOTHING_SELECTED, Condition.CONFLICT);

  /** One condition that holds, said for a person. */
  public record Held(Condition condition, String message) {}

  private final Plan plan;
  private final Set<Condition> failOn;
  private final List<Held> held = new ArrayList<>();

  public PlanGate(Plan plan, Set<Condition> failOn) {
    this.plan = plan;
    this.failOn = failOn.isEmpty() ? EnumSet.noneOf(Condition.class) : EnumSet.copyOf(failOn);
    String nothing = nothingSelected(plan);
    if (nothing != null) {
      held.add(new Held(Condition.NOTHING_SELECTED, nothing));
    }
    long notCovered = plan.notCovered().size();
    if (notCovered > 0) {
      held.add(new Held(Condition.NOT_COVERED, notCovered + " workload(s) not covered"));
    }
    long conflicts = plan.workloads().stream().filter(WorkloadPlan::isConflict).count();
    if (conflicts > 0) {
      held.add(new Held(Condition.CONFLICT, conflicts + " conflict(s): several enforcing policies select one "
          + "workload"));
    }
    long warnings = plan.workloads().stream().mapToLong(w -> w.warnings().size()).sum();
    if (warnings > 0) {
      held.add(new Held(Condition.WARNINGS, warnings + " warning(s)"));
    }
  }

  /** "nothing-selected,conflict" as a set; "none" (or "") is the empty set. */
  public static Set<Condition> parse(Collection<String> flags) {
    Set<Condition> out = EnumSet.noneOf(Condition.class);
    for (String f : flags) {
      if (!f.isBlank() && !f.trim().equals("none")) {
        out.add(Condition.parse(f));
      }
    }
    return out;
  }

  public Set<Condition> failOn() {
    return failOn;
  }

  /** Every condition that holds, in the order of {@link Condition}. */
  public List<Held> held() {
    return held;
  }

  /** The conditions that hold and that {@code --fail-on} names. */
  public List<Held> failing() {
    return held.stream().filter(h -> failOn.contains(h.condition())).toList();
  }

  public int exitCode() {
    boolean skipped = plan.workloads().stream().anyMatch(WorkloadPlan::isSkipped);
    return plan.hasChanges() || skipped || !failing().isEmpty() ? FAIL : PASS;
  }

  /** Why nothing is selected, or null when something is (or no workload was read). */
  static String nothingSelected(Plan plan) {
    List<WorkloadPlan> workloads = plan.workloads().stream().filter(w -> !w.isNotCovered()).toList();
    if (workloads.isEmpty() || !workloads.stream().allMatch(WorkloadPlan::isNotSelected)) {
      return null;
    }
    Set<String> workloadNamespaces = workloads.stream().filter(w -> !w.kind().equals(ComposePlanner.KIND))
        .map(w -> w.namespace() == null ? "(none)" : w.namespace()).collect(Collectors.toCollection(TreeSet::new));
    Set<String> policyNamespaces = plan.policies().stream().map(p -> p.policy().namespace())
        .collect(Collectors.toCollection(TreeSet::new));
    String policies = plan.policies().stream().map(u -> "policy " + u.policy().namespace() + "/" + u.policy().name()
        + " (" + u.policy().location() + ") selects " + selector(u.policy().rules().selector()))
        .collect(Collectors.joining("; "));
    boolean otherNamespaces = !workloadNamespaces.isEmpty() && !workloadNamespaces.contains("(none)")
        && workloadNamespaces.stream().noneMatch(policyNamespaces::contains);
    return "no policy selects any of the " + workloads.size() + " workload(s) read: " + policies
        + (otherNamespaces ? "; but the workloads are in namespace(s) " + String.join(", ", workloadNamespaces)
            + ", and a policy selects only in its own namespace"
            : "; no workload's labels match (check the selector's keys and values)");
  }

  /** A label selector as kubectl writes one: "tier=web,env in (a,b)"; "every workload" when empty. */
  static String selector(LabelSelector s) {
    List<String> parts = new ArrayList<>();
    if (s != null && s.getMatchLabels() != null) {
      s.getMatchLabels().forEach((k, v) -> parts.add(k + "=" + v));
    }
    if (s != null && s.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : s.getMatchExpressions()) {
        String values = "(" + String.join(",", Objects.requireNonNullElse(r.getValues(), List.of())) + ")";
        parts.add(switch (String.valueOf(r.getOperator())) {
          case "In" -> r.getKey() + " in " + values;
          case "NotIn" -> r.getKey() + " notin " + values;
          case "Exists" -> r.getKey();
          case "DoesNotExist" -> "!" + r.getKey();
          default -> r.getKey() + " " + r.getOperator() + " " + values;
        });
      }
    }
    return parts.isEmpty() ? "every workload" : String.join(",", parts);
  }
}
