package dev.rootlock.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rootlock.engine.RevertRecord.Injection;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The volumes and mounts half of the hardener: injecting an emptyDir at a path, and taking it out
 * again only while it is still exactly as Rootlock wrote it.
 */
final class Volumes {
  static final String MEMORY = "Memory";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Volumes() {}

  /**
   * Makes {@code path} writable in {@code c}: our emptyDir (kept, or newly injected and recorded in
   * {@code kept}), unless something else is mounted at the path or a parent of it.
   *
   * @param medium null for memory, "Disk" for the node's disk (as recorded in an injection)
   */
  static void ensureWritable(PodSpec spec, Container c, WritablePath path, Quantity size, String medium,
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
    Injection now = new Injection(c.getName(), path.path(), volume, size.toString(), medium, path.seeded());
    if (inj != null) {
      kept.set(kept.indexOf(inj), now); // a changed sizeLimit or medium is recorded with the volume
    } else {
      kept.add(now);
    }
    if (ours == null) {
      List<VolumeMount> updated = new ArrayList<>(mounts);
      updated.add(new VolumeMountBuilder().withName(volume).withMountPath(path.path()).build());
      c.setVolumeMounts(updated);
      findings.add(new Finding(c.getName(), path.path(), Finding.Kind.VOLUME_INJECTED,
          volume + (medium == null ? "" : " on disk")));
    }
    ensureVolume(spec, now);
  }

  /** The volume Rootlock writes for an injection: a name and an emptyDir, nothing else. */
  static Volume volumeFor(Injection inj) {
    return new VolumeBuilder().withName(inj.volume())
        .withEmptyDir(new EmptyDirVolumeSource(inj.inMemory() ? MEMORY : null, new Quantity(inj.sizeLimit())))
        .build();
  }

  private static void ensureVolume(PodSpec spec, Injection inj) {
    List<Volume> volumes = new ArrayList<>(nonNull(spec.getVolumes()));
    for (int i = 0; i < volumes.size(); i++) {
      if (inj.volume().equals(volumes.get(i).getName())) {
        if (!isOurs(volumes.get(i), inj)) {
          volumes.set(i, volumeFor(inj)); // drift, or a new size or medium: put our volume back as wanted
          spec.setVolumes(volumes);
        }
        return;
      }
    }
    volumes.add(volumeFor(inj));
    spec.setVolumes(volumes);
  }

  /** Exactly the volume Rootlock writes for {@code inj} (sizes compared by value: 64Mi is 67108864). */
  private static boolean isOurs(Volume v, Injection inj) {
    EmptyDirVolumeSource e = v.getEmptyDir();
    if (e == null || !Objects.equals(e.getMedium(), inj.inMemory() ? MEMORY : null) || e.getSizeLimit() == null
        || Quantity.getAmountInBytes(e.getSizeLimit()).compareTo(Quantity.getAmountInBytes(
            new Quantity(inj.sizeLimit()))) != 0) {
      return false;
    }
    Injection sameSize = new Injection(inj.container(), inj.path(), inj.volume(), e.getSizeLimit().toString(),
        inj.medium());
    return JSON.valueToTree(v).equals(JSON.valueToTree(volumeFor(sameSize)));
  }

  static void removeInjection(PodSpec spec, Container c, Injection inj, List<Finding> findings) {
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
    List<Volume> volumes = new ArrayList<>(nonNull(spec.getVolumes()));
    boolean removed = volumes.removeIf(v -> inj.volume().equals(v.getName()) && isOurs(v, inj));
    if (removed) {
      spec.setVolumes(volumes);
    }
    return removed;
  }

  static boolean isMounted(PodSpec spec, String volume) {
    for (Container c : allContainers(spec)) {
      for (VolumeMount m : nonNull(c.getVolumeMounts())) {
        if (volume.equals(m.getName())) {
          return true;
        }
      }
    }
    return false;
  }

  static Set<String> volumeNames(PodSpec spec) {
    Set<String> names = new HashSet<>();
    nonNull(spec.getVolumes()).forEach(v -> names.add(v.getName()));
    return names;
  }

  /** {@code o} as the JSON the API server would store, for comparisons. */
  static com.fasterxml.jackson.databind.JsonNode tree(Object o) {
    return JSON.valueToTree(o);
  }

  static List<Container> allContainers(PodSpec spec) {
    List<Container> all = new ArrayList<>(nonNull(spec.getInitContainers()));
    all.addAll(nonNull(spec.getContainers()));
    return all;
  }

  static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list.stream().filter(Objects::nonNull).toList();
  }
}
