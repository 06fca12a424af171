package dev.rootlock.plan;

import dev.rootlock.engine.Finding;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.VolumeNames;
import dev.rootlock.engine.WritablePath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The warnings and notes of one hardening, read from the engine's findings: the warnings are shown
 * on the planned change (not only once it is made), and the notes leave out paths already on
 * Rootlock's own emptyDir, which are no news.
 */
final class PlanWarnings {
  private PlanWarnings() {}

  static List<PlanWarning> of(PodTemplateSpec template, PolicyRules rules, Hardening h) {
    List<PlanWarning> out = new ArrayList<>();
    for (Finding f : h.findings()) {
      switch (f.kind()) {
        case MEMORY_RISK -> out.add(new PlanWarning(PlanWarning.Type.MemoryRisk, f.container(), null,
            "container " + f.container() + ": " + f.detail()));
        case CONTAINER_EXEMPTED -> out.add(new PlanWarning(PlanWarning.Type.ExemptContainer, f.container(), null,
            "container " + f.container() + " is exempt (" + f.detail() + ") and keeps a writable root filesystem"));
        case PATH_ALREADY_MOUNTED -> readOnlyMount(template, rules, f).ifPresent(out::add);
        default -> { }
      }
    }
    return out;
  }

  /** The engine's notes, without paths that Rootlock's own emptyDir already makes writable. */
  static String notes(PodTemplateSpec template, PolicyRules rules, Hardening h) {
    List<Finding> kept = h.findings().stream()
        .filter(f -> f.kind() != Finding.Kind.PATH_ALREADY_MOUNTED || covering(template, rules, f)
            .map(v -> !isRootlocks(v)).orElse(true))
        .toList();
    return new Hardening(h.template(), h.record(), kept, h.changed()).notes();
  }

  private static Optional<PlanWarning> readOnlyMount(PodTemplateSpec template, PolicyRules rules, Finding f) {
    return covering(template, rules, f).flatMap(m -> {
      String what = readOnly(m);
      return what == null ? Optional.empty() : Optional.of(new PlanWarning(PlanWarning.Type.ReadOnlyMount,
          f.container(), f.path(), "container " + f.container() + ": " + f.path() + " is declared writable but "
              + (m.mount().getMountPath().equals(f.path()) ? "is" : "lies in " + m.mount().getMountPath() + ",")
              + " a read-only mount (" + what + "): the app still cannot write there; mount a writable volume "
              + "there or remove it from " + kindOf(rules, f.path())));
    });
  }

  /** A mount and the volume it mounts (null when the pod has no such volume). */
  private record Mounted(VolumeMount mount, Volume volume) {}

  /** The mount that covers the finding's path, as the engine picks it: the container's first one that does. */
  private static Optional<Mounted> covering(PodTemplateSpec template, PolicyRules rules, Finding f) {
    PodSpec spec = template.getSpec();
    WritablePath path = rules.paths().stream().filter(p -> p.path().equals(f.path())).findFirst().orElse(null);
    if (spec == null || path == null) {
      return Optional.empty();
    }
    return Stream.concat(list(spec.getInitContainers()).stream(), list(spec.getContainers()).stream())
        .filter(c -> f.container().equals(c.getName()))
        .flatMap(c -> list(c.getVolumeMounts()).stream())
        .filter(m -> path.isCoveredBy(m.getMountPath()))
        .findFirst()
        .map(m -> new Mounted(m, list(spec.getVolumes()).stream().filter(v -> Objects.equals(v.getName(),
            m.getName())).findFirst().orElse(null)));
  }

  /** Why the mount is read-only, or null when it is writable. */
  private static String readOnly(Mounted m) {
    if (Boolean.TRUE.equals(m.mount().getReadOnly())) {
      return "volume " + m.mount().getName() + ", readOnly: true";
    }
    Volume v = m.volume();
    if (v == null) {
      return null;
    }
    // these volume types are always mounted read-only by the kubelet
    String type = v.getConfigMap() != null ? "configMap" : v.getSecret() != null ? "secret"
        : v.getDownwardAPI() != null ? "downwardAPI" : v.getProjected() != null ? "projected"
        : v.getImage() != null ? "image" : null;
    return type == null ? null : type + " volume " + v.getName();
  }

  private static boolean isRootlocks(Mounted m) {
    return m.volume() != null && m.volume().getEmptyDir() != null && VolumeNames.isRootlocks(m.volume().getName())
        && m.mount().getMountPath() != null;
  }

  private static String kindOf(PolicyRules rules, String path) {
    return rules.paths().stream().filter(p -> p.path().equals(path)).map(p -> "spec." + p.kind().field())
        .findFirst().orElse("the policy");
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }
}
