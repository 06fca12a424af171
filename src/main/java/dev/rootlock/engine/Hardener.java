package dev.rootlock.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rootlock.api.Medium;
import dev.rootlock.api.OnMemoryRisk;
import dev.rootlock.engine.RevertRecord.Injection;
import dev.rootlock.engine.RevertRecord.OriginalMessagePolicy;
import dev.rootlock.engine.RevertRecord.OriginalSecurityContext;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The hardening engine: pod template + rules + what was done before in, desired template +
 * findings + revert record out. Pure: no client, no I/O, never mutates its input.
 *
 * <p>Every run first undoes the parts of the previous hardening the rules no longer want (a path
 * removed from the spec, a container no longer selected), then makes sure every hardened container
 * is read-only with every declared path writable. That single path serves create, drift
 * correction, spec changes and restarts alike, which is what makes it idempotent.
 *
 * <p>Undo only removes what still looks exactly as Rootlock wrote it: a mount someone made
 * read-only or gave a subPath, a volume someone resized, a readOnlyRootFilesystem someone set
 * back, stays as they left it (reported as {@link Finding.Kind#CHANGED_BY_OTHERS}).
 */
public final class Hardener {
  static final String LOGS_ON_ERROR = "FallbackToLogsOnError";
  static final String FILE = "File";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SeedPlatform platform;

  /** A hardener for a platform whose seeding facts are unknown ({@link SeedPlatform#DEFAULT}). */
  public Hardener() {
    this(SeedPlatform.DEFAULT);
  }

  /** @param platform whether image volumes are served and which image copies from one */
  public Hardener(SeedPlatform platform) {
    this.platform = platform;
  }

  /** Hardens {@code current} under {@code rules}, continuing from the record {@code prior}. */
  public Hardening harden(PodTemplateSpec current, PolicyRules rules, RevertRecord prior) {
    return run(current, rules, prior == null ? RevertRecord.EMPTY : prior);
  }

  /** Undoes everything {@code prior} records, leaving values others changed since. */
  public Hardening revert(PodTemplateSpec current, RevertRecord prior) {
    return run(current, null, prior);
  }

  private Hardening run(PodTemplateSpec current, PolicyRules rules, RevertRecord prior) {
    PodTemplateSpec t = new PodTemplateSpecBuilder(current).build();
    PodSpec spec = t.getSpec();
    List<Finding> findings = new ArrayList<>();
    if (spec == null) {
      return new Hardening(current, prior, findings, false);
    }
    Map<String, Boolean> isInit = new TreeMap<>();
    Map<String, Container> byName = new TreeMap<>();
    Set<String> seeders = prior.seeds().stream().map(RevertRecord.Seed::initContainer).collect(Collectors.toSet());
    for (Container c : named(spec.getInitContainers())) {
      if (seeders.contains(c.getName())) {
        continue; // Rootlock's own: never hardened or restored as the team's containers are
      }
      byName.put(c.getName(), c);
      isInit.put(c.getName(), true);
    }
    for (Container c : named(spec.getContainers())) {
      byName.put(c.getName(), c);
      isInit.put(c.getName(), false);
    }
    Predicate<Container> hardens = c -> rules != null && rules.hardens(c, isInit.get(c.getName()));

    // Phase 1: undo what the rules no longer want. The seeders go first: a volume they mount
    // would otherwise outlive its path.
    Map<String, Container> takenOut = Seeds.takeOut(spec, prior, name -> byName.containsKey(name)
        && hardens.test(byName.get(name)) && !rules.seeding().paths().isEmpty(), findings);
    List<Injection> kept = new ArrayList<>();
    for (Injection inj : prior.injections()) {
      Container c = byName.get(inj.container());
      boolean wanted = c != null && hardens.test(c) && rules.allPaths().stream()
          .anyMatch(p -> p.path().equals(inj.path()) && p.seeded() == inj.isSeeded());
      if (wanted) {
        kept.add(inj);
      } else {
        Volumes.removeInjection(spec, c, inj, findings);
      }
    }
    Map<String, OriginalSecurityContext> originals = keepOrRestore(prior.containers(), hardens, byName,
        (c, original) -> restoreSecurityContext(c, original, findings));
    Map<String, OriginalMessagePolicy> messagePolicies = keepOrRestore(prior.messagePolicies(), hardens, byName,
        (c, original) -> restoreMessagePolicy(c, original, findings));

    // Phase 2: make sure every hardened container is read-only and has every path writable.
    Boolean changedSoFar = null;
    List<RevertRecord.Seed> seeds = new ArrayList<>();
    if (rules != null) {
      reportUnmatchedNames(rules, byName, isInit, findings);
      byName.values().stream().filter(c -> rules.hardens(c.getName(), isInit.get(c.getName())))
          .forEach(c -> {
            String reason = rules.exemptions().reason(c);
            if (reason != null) {
              findings.add(new Finding(c.getName(), null, Finding.Kind.CONTAINER_EXEMPTED, reason));
            }
          });
      List<Container> hardened = byName.values().stream().filter(hardens).toList();
      if (hardened.isEmpty()) {
        findings.add(new Finding(null, null, Finding.Kind.NOTHING_TO_HARDEN, null));
      }
      String medium = rules.memory().medium() == Medium.Memory ? null : rules.memory().medium().name();
      List<Seeds.Planned> planned = new ArrayList<>();
      Set<String> names = Seeds.containerNames(spec);
      for (Container c : hardened) {
        ensureReadOnly(c, originals, findings);
        for (WritablePath path : rules.allPaths()) {
          Volumes.ensureWritable(spec, c, path, rules.sizeLimit(), medium, kept, findings);
        }
        Seeds.Planned p = Seeds.plan(spec, c, kept, rules.seeding().method(), platform, prior, names);
        if (p != null) {
          planned.add(p);
          seeds.add(p.seed());
        }
      }
      Seeds.putIn(spec, planned, takenOut, findings);
      List<Finding> risks = MemorySizing.risks(spec, hardened, rules.memory().shareWarning());
      if (!risks.isEmpty() && rules.memory().onRisk() == OnMemoryRisk.Skip) {
        // Not hardened while the risk stands: whatever an earlier run did is undone.
        Hardening undone = run(current, null, prior);
        List<Finding> all = new ArrayList<>(undone.findings());
        all.addAll(risks);
        all.add(new Finding(null, null, Finding.Kind.HARDENING_SKIPPED, "spec.onMemoryRisk: Skip"));
        return new Hardening(undone.template(), undone.record(), all, undone.changed());
      }
      findings.addAll(risks);
      // Crash logs in the status are for the rollouts Rootlock causes anyway: setting them alone
      // would restart every pod of an already read-only workload for nothing. So the policy rides
      // along with a change hardening needs, and is never a reason to write by itself.
      changedSoFar = !JSON.valueToTree(t).equals(JSON.valueToTree(current));
      if (changedSoFar) {
        hardened.forEach(c -> ensureLogsOnError(c, messagePolicies, findings));
      }
    }

    Seeds.removeStaleImageVolumes(spec, prior, seeds, findings);
    RevertRecord record = new RevertRecord(originals, kept, messagePolicies, seeds);
    // the crash-log policy is only ever added to a template that changed already: one comparison
    boolean changed = changedSoFar != null ? changedSoFar : !JSON.valueToTree(t).equals(JSON.valueToTree(current));
    return new Hardening(changed ? t : current, record, findings, changed);
  }

  /**
   * For each container a per-container record entry names: kept while the rules still harden it,
   * restored (and dropped) otherwise, forgotten when the container is gone.
   */
  private static <T> Map<String, T> keepOrRestore(Map<String, T> recorded, Predicate<Container> hardens,
      Map<String, Container> byName, BiConsumer<Container, T> restore) {
    Map<String, T> kept = new TreeMap<>();
    recorded.forEach((name, original) -> {
      Container c = byName.get(name);
      if (c == null) {
        return; // container gone: nothing left to restore
      }
      if (hardens.test(c)) {
        kept.put(name, original);
      } else {
        restore.accept(c, original);
      }
    });
    return kept;
  }

  private static void reportUnmatchedNames(PolicyRules rules, Map<String, Container> byName,
      Map<String, Boolean> isInit, List<Finding> findings) {
    if (rules.containers() == null) {
      return;
    }
    for (String n : rules.containers().stream().sorted().toList()) {
      if (!byName.containsKey(n)) {
        findings.add(new Finding(n, null, Finding.Kind.CONTAINER_NOT_FOUND, null));
      } else if (isInit.get(n) && !rules.initContainers()) {
        findings.add(new Finding(n, null, Finding.Kind.INIT_CONTAINER_SKIPPED, null));
      }
    }
  }

  private static void ensureReadOnly(Container c, Map<String, OriginalSecurityContext> originals,
      List<Finding> findings) {
    SecurityContext sc = c.getSecurityContext();
    if (sc != null && Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
      return;
    }
    // Keep the first original we saw: a manual revert since then is drift, not a new baseline.
    originals.putIfAbsent(c.getName(),
        new OriginalSecurityContext(sc == null ? null : sc.getReadOnlyRootFilesystem(), sc == null));
    if (sc == null) {
      sc = new SecurityContext();
      c.setSecurityContext(sc);
    }
    sc.setReadOnlyRootFilesystem(true);
    findings.add(new Finding(c.getName(), null, Finding.Kind.READ_ONLY_SET, null));
  }

  /**
   * FallbackToLogsOnError puts the tail of a crashed container's log into its termination message,
   * where Rootlock can read why it crashed without log access. File is the API server's default,
   * so it counts as unset; a container that writes its own termination message keeps it, because
   * the fallback only applies when that file is empty.
   */
  private static void ensureLogsOnError(Container c, Map<String, OriginalMessagePolicy> originals,
      List<Finding> findings) {
    String current = c.getTerminationMessagePolicy();
    if (current != null && !FILE.equals(current)) {
      return;
    }
    // Keep the first original: File set back by hand since is drift, not a new baseline.
    originals.putIfAbsent(c.getName(), new OriginalMessagePolicy(current));
    c.setTerminationMessagePolicy(LOGS_ON_ERROR);
    findings.add(new Finding(c.getName(), null, Finding.Kind.MESSAGE_POLICY_SET, null));
  }

  private static void restoreMessagePolicy(Container c, OriginalMessagePolicy original, List<Finding> findings) {
    if (!LOGS_ON_ERROR.equals(c.getTerminationMessagePolicy())) {
      findings.add(new Finding(c.getName(), null, Finding.Kind.CHANGED_BY_OTHERS,
          "terminationMessagePolicy was changed since Rootlock set it; left as it is"));
      return;
    }
    c.setTerminationMessagePolicy(original.value());
  }

  private static void restoreSecurityContext(Container c, OriginalSecurityContext original, List<Finding> findings) {
    SecurityContext sc = c.getSecurityContext();
    if (sc == null || !Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
      findings.add(new Finding(c.getName(), null, Finding.Kind.CHANGED_BY_OTHERS,
          "readOnlyRootFilesystem was changed since Rootlock set it; left as it is"));
      return;
    }
    sc.setReadOnlyRootFilesystem(original.readOnlyRootFilesystem());
    if (original.securityContextAbsent() && JSON.valueToTree(sc).isEmpty()) {
      c.setSecurityContext(null);
    }
  }

  /** Containers that have a name; the API server rejects the others, so there is nothing to harden. */
  private static List<Container> named(List<Container> list) {
    return nonNull(list).stream().filter(c -> c.getName() != null && !c.getName().isEmpty()).toList();
  }

  private static <T> List<T> nonNull(List<T> list) {
    return Volumes.nonNull(list);
  }
}
