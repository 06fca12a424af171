package dev.rootlock.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rootlock.engine.RevertRecord.Injection;
import dev.rootlock.engine.RevertRecord.OriginalMessagePolicy;
import dev.rootlock.engine.RevertRecord.OriginalSecurityContext;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

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
  static final String MEMORY = "Memory";
  static final String LOGS_ON_ERROR = "FallbackToLogsOnError";
  static final String FILE = "File";
  private static final ObjectMapper JSON = new ObjectMapper();

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
    for (Container c : named(spec.getInitContainers())) {
      byName.put(c.getName(), c);
      isInit.put(c.getName(), true);
    }
    for (Container c : named(spec.getContainers())) {
      byName.put(c.getName(), c);
      isInit.put(c.getName(), false);
    }

    // Phase 1: undo what the rules no longer want.
    List<Injection> kept = new ArrayList<>();
    for (Injection inj : prior.injections()) {
      Container c = byName.get(inj.container());
      boolean wanted = rules != null && c != null && rules.hardens(c.getName(), isInit.get(c.getName()))
          && rules.paths().stream().anyMatch(p -> p.path().equals(inj.path()));
      if (wanted) {
        kept.add(inj);
      } else {
        removeInjection(spec, c, inj, findings);
      }
    }
    Map<String, OriginalSecurityContext> originals = keepOrRestore(prior.containers(), rules, byName, isInit,
        (c, original) -> restoreSecurityContext(c, original, findings));
    Map<String, OriginalMessagePolicy> messagePolicies = keepOrRestore(prior.messagePolicies(), rules, byName,
        isInit, (c, original) -> restoreMessagePolicy(c, original, findings));

    // Phase 2: make sure every hardened container is read-only and has every path writable.
    if (rules != null) {
      reportUnmatchedNames(rules, byName, isInit, findings);
      if (byName.keySet().stream().noneMatch(n -> rules.hardens(n, isInit.get(n)))) {
        findings.add(new Finding(null, null, Finding.Kind.NOTHING_TO_HARDEN, null));
      }
      List<Container> hardened = byName.values().stream()
          .filter(c -> rules.hardens(c.getName(), isInit.get(c.getName()))).toList();
      for (Container c : hardened) {
        ensureReadOnly(c, originals, findings);
        for (WritablePath path : rules.paths()) {
          ensureWritable(spec, c, path, rules.sizeLimit(), kept, findings);
        }
      }
      // Crash logs in the status are for the rollouts Rootlock causes anyway: setting them alone
      // would restart every pod of an already read-only workload for nothing. So the policy rides
      // along with a change hardening needs, and is never a reason to write by itself.
      if (!JSON.valueToTree(t).equals(JSON.valueToTree(current))) {
        hardened.forEach(c -> ensureLogsOnError(c, messagePolicies, findings));
      }
    }

    RevertRecord record = new RevertRecord(originals, kept, messagePolicies);
    boolean changed = !JSON.valueToTree(t).equals(JSON.valueToTree(current));
    return new Hardening(changed ? t : current, record, findings, changed);
  }

  /**
   * For each container a per-container record entry names: kept while the rules still harden it,
   * restored (and dropped) otherwise, forgotten when the container is gone.
   */
  private static <T> Map<String, T> keepOrRestore(Map<String, T> recorded, PolicyRules rules,
      Map<String, Container> byName, Map<String, Boolean> isInit, BiConsumer<Container, T> restore) {
    Map<String, T> kept = new TreeMap<>();
    recorded.forEach((name, original) -> {
      Container c = byName.get(name);
      if (c == null) {
        return; // container gone: nothing left to restore
      }
      if (rules != null && rules.hardens(name, isInit.get(name))) {
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

  private static void ensureWritable(PodSpec spec, Container c, WritablePath path, Quantity size,
      List<Injection> kept, List<Finding> findings) {
    Injection inj = kept.stream()
        .filter(i -> i.container().equals(c.getName()) && i.path().equals(path.path()))
        .findFirst().orElse(null);
    List<VolumeMount> mounts = nonNull(c.getVolumeMounts());
    VolumeMount ours = inj == null ? null : mounts.stream()
        .filter(m -> inj.volume().equals(m.getName()) && path.path().equals(Paths.normalize(m.getMountPath())))
        .findFirst().orElse(null);
    if (ours == null) {
      VolumeMount covering = mounts.stream().filter(m -> path.isCoveredBy(m.getMountPath())).findFirst().orElse(null);
      if (covering != null) {
        if (inj != null) {
          // Our mount was removed and something else now covers the path: theirs wins.
          kept.remove(inj);
          removeVolumeIfOurs(spec, inj);
        }
        String how = covering.getName() + (Boolean.TRUE.equals(covering.getReadOnly()) ? " (read-only)" : "")
            + (path.isAt(covering.getMountPath()) ? "" : " at " + covering.getMountPath());
        findings.add(new Finding(c.getName(), path.path(), Finding.Kind.PATH_ALREADY_MOUNTED, how));
        return;
      }
    }
    String volume = inj != null ? inj.volume() : VolumeNames.forInjection(c.getName(), path.path(), volumeNames(spec));
    Injection now = new Injection(c.getName(), path.path(), volume, size.toString());
    if (inj != null) {
      kept.set(kept.indexOf(inj), now); // a changed sizeLimit is recorded with the volume
    } else {
      kept.add(now);
    }
    if (ours == null) {
      List<VolumeMount> updated = new ArrayList<>(mounts);
      updated.add(new VolumeMountBuilder().withName(volume).withMountPath(path.path()).build());
      c.setVolumeMounts(updated);
      findings.add(new Finding(c.getName(), path.path(), Finding.Kind.VOLUME_INJECTED, volume));
    }
    ensureVolume(spec, volume, size);
  }

  private static Volume memoryVolume(String name, Quantity size) {
    return new VolumeBuilder().withName(name).withEmptyDir(new EmptyDirVolumeSource(MEMORY, size)).build();
  }

  private static void ensureVolume(PodSpec spec, String name, Quantity size) {
    Volume desired = memoryVolume(name, size);
    List<Volume> volumes = new ArrayList<>(nonNull(spec.getVolumes()));
    for (int i = 0; i < volumes.size(); i++) {
      if (name.equals(volumes.get(i).getName())) {
        if (!isMemoryVolume(volumes.get(i), size)) {
          volumes.set(i, desired); // drift: put our volume back as we wrote it
          spec.setVolumes(volumes);
        }
        return;
      }
    }
    volumes.add(desired);
    spec.setVolumes(volumes);
  }

  /** Exactly the volume Rootlock writes: a name and a Memory emptyDir of this size, nothing else. */
  private static boolean isMemoryVolume(Volume v, Quantity size) {
    EmptyDirVolumeSource e = v.getEmptyDir();
    return e != null && MEMORY.equals(e.getMedium()) && sameQuantity(e.getSizeLimit(), size)
        && JSON.valueToTree(v).equals(JSON.valueToTree(memoryVolume(v.getName(), e.getSizeLimit())));
  }

  private static boolean sameQuantity(Quantity a, Quantity b) {
    if (a == null || b == null) {
      return a == b;
    }
    return Quantity.getAmountInBytes(a).compareTo(Quantity.getAmountInBytes(b)) == 0;
  }

  private static void removeInjection(PodSpec spec, Container c, Injection inj, List<Finding> findings) {
    if (c != null && c.getVolumeMounts() != null) {
      List<VolumeMount> mounts = new ArrayList<>(c.getVolumeMounts());
      boolean changedByOthers = mounts.stream().anyMatch(m -> isOurMountTarget(m, inj) && !isPlainMount(m));
      if (mounts.removeIf(m -> isOurMountTarget(m, inj) && isPlainMount(m))) {
        c.setVolumeMounts(mounts);
      }
      if (changedByOthers) {
        findings.add(new Finding(inj.container(), inj.path(), Finding.Kind.CHANGED_BY_OTHERS,
            "mount of " + inj.volume() + " was changed since Rootlock added it; left in place"));
      }
    }
    if (!removeVolumeIfOurs(spec, inj) && !isMounted(spec, inj.volume()) && volumeNames(spec).contains(inj.volume())) {
      findings.add(new Finding(inj.container(), inj.path(), Finding.Kind.CHANGED_BY_OTHERS,
          "volume " + inj.volume() + " was changed since Rootlock added it; left in place"));
    }
  }

  private static boolean isOurMountTarget(VolumeMount m, Injection inj) {
    return inj.volume().equals(m.getName()) && inj.path().equals(Paths.normalize(m.getMountPath()));
  }

  /** A mount with only name and mountPath, as Rootlock writes it. */
  private static boolean isPlainMount(VolumeMount m) {
    return JSON.valueToTree(m).size() == 2;
  }

  /** Removes our emptyDir once nothing mounts it, if it is still exactly as Rootlock wrote it. */
  private static boolean removeVolumeIfOurs(PodSpec spec, Injection inj) {
    if (isMounted(spec, inj.volume())) {
      return false;
    }
    Quantity size = new Quantity(inj.sizeLimit());
    List<Volume> volumes = new ArrayList<>(nonNull(spec.getVolumes()));
    boolean removed = volumes.removeIf(v -> inj.volume().equals(v.getName()) && isMemoryVolume(v, size));
    if (removed) {
      spec.setVolumes(volumes);
    }
    return removed;
  }

  private static boolean isMounted(PodSpec spec, String volume) {
    for (Container c : allContainers(spec)) {
      for (VolumeMount m : nonNull(c.getVolumeMounts())) {
        if (volume.equals(m.getName())) {
          return true;
        }
      }
    }
    return false;
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

  private static Set<String> volumeNames(PodSpec spec) {
    Set<String> names = new HashSet<>();
    nonNull(spec.getVolumes()).forEach(v -> names.add(v.getName()));
    return names;
  }

  private static List<Container> allContainers(PodSpec spec) {
    List<Container> all = new ArrayList<>(nonNull(spec.getInitContainers()));
    all.addAll(nonNull(spec.getContainers()));
    return all;
  }

  /** Containers that have a name; the API server rejects the others, so there is nothing to harden. */
  private static List<Container> named(List<Container> list) {
    return nonNull(list).stream().filter(c -> c.getName() != null && !c.getName().isEmpty()).toList();
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list.stream().filter(Objects::nonNull).toList();
  }
}
