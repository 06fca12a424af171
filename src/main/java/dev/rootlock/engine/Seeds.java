package dev.rootlock.engine;

import dev.rootlock.api.SeedMethod;
import dev.rootlock.engine.RevertRecord.Injection;
import dev.rootlock.engine.RevertRecord.Seed;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ImageVolumeSource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The seeders' half of the hardener: one init container per hardened container with seeded paths,
 * placed before every other init container, and (ImageVolume) the app's image as a volume.
 *
 * <p>A run takes every seeder it recorded out of the template first, before the injections are
 * undone, so an emptyDir no path wants any more is never kept alive by a seeder mounting it; the
 * seeders still wanted are then put back exactly as wanted, which also corrects any drift. A
 * seeder no longer wanted is taken out only while it is still exactly as Rootlock wrote it.
 */
final class Seeds {
  /** The path an image volume's name is derived from, as if it were mounted there (never a real mount). */
  private static final String IMAGE_VOLUME_KEY = "/rootlock-image";

  private Seeds() {}

  /** One seeder to put in the template, with what the record keeps of it. */
  record Planned(Container container, Volume imageVolume, Seed seed) {}

  /**
   * Takes every recorded seeder out of {@code spec}: those whose container is still seeded (it
   * will be put back as wanted), and the others while they are exactly as written.
   *
   * @param stillSeeded which app containers may keep a seeder (by name)
   * @return the seeders taken out, by name, as they were (null for one that was not before every
   *     init container of the team's)
   */
  static Map<String, Container> takeOut(PodSpec spec, RevertRecord prior, Predicate<String> stillSeeded,
      List<Finding> findings) {
    Map<String, Container> takenOut = new LinkedHashMap<>();
    if (prior.seeds().isEmpty()) {
      return takenOut;
    }
    List<Container> inits = new ArrayList<>(Volumes.nonNull(spec.getInitContainers()));
    List<String> order = inits.stream().map(Container::getName).toList();
    for (Seed s : prior.seeds()) {
      Container c = inits.stream().filter(i -> s.initContainer().equals(i.getName())).findFirst().orElse(null);
      if (c == null) {
        continue;
      }
      if (stillSeeded.test(s.container()) || SeedCopier.fingerprint(c).equals(s.fingerprint())) {
        inits.remove(c);
        // kept only while it was where Rootlock puts it: before every init container of the team's
        boolean inPlace = order.subList(0, order.indexOf(c.getName())).stream()
            .allMatch(n -> prior.seeds().stream().anyMatch(x -> x.initContainer().equals(n)));
        takenOut.put(c.getName(), inPlace ? c : null);
      } else {
        findings.add(new Finding(s.container(), null, Finding.Kind.CHANGED_BY_OTHERS,
            "init container " + s.initContainer() + " was changed since Rootlock added it; left in place"));
      }
    }
    spec.setInitContainers(inits);
    return takenOut;
  }

  /**
   * The seeder {@code app} needs for the seeded injections {@code kept} holds for it, or null when
   * it has none (no seeded path, or every one covered by a mount of the team's).
   *
   * @param taken names already used by containers in the pod and by seeders planned before this one
   */
  static Planned plan(PodSpec spec, Container app, List<Injection> kept, SeedMethod asked, SeedPlatform platform,
      RevertRecord prior, Set<String> taken) {
    List<Injection> seeded = kept.stream().filter(i -> i.container().equals(app.getName()) && i.isSeeded()).toList();
    if (seeded.isEmpty()) {
      return null;
    }
    SeedMethod method = platform.resolve(asked);
    if (asked == SeedMethod.Auto && method == SeedMethod.ImageVolume && SeedCopier.userOnlyInImage(app, spec)) {
      method = SeedMethod.Copy; // the copier could not take the app's user: copy inside the app's image
    }
    Seed before = prior.seeds().stream().filter(s -> s.container().equals(app.getName())).findFirst().orElse(null);
    String name = before != null && !taken.contains(before.initContainer()) ? before.initContainer()
        : seederName(app.getName(), taken);
    taken.add(name);
    String volumeName = null;
    Volume volume = null;
    if (method == SeedMethod.ImageVolume) {
      volumeName = before != null && before.imageVolume() != null ? before.imageVolume()
          : VolumeNames.forInjection(app.getName(), IMAGE_VOLUME_KEY, Volumes.volumeNames(spec));
      volume = SeedCopier.imageVolume(volumeName, app);
    }
    Container seeder = SeedCopier.container(name, app, spec, seeded, method, volumeName, platform);
    ImageVolumeSource image = volume == null ? null : volume.getImage();
    return new Planned(seeder, volume, new Seed(app.getName(), name, method.name(), SeedCopier.fingerprint(seeder),
        volumeName, image == null ? null : image.getReference(), image == null ? null : image.getPullPolicy()));
  }

  /**
   * Puts the planned seeders before every other init container (in the order planned) and their
   * image volumes in place, reporting each seeder that was not already there as it is now.
   */
  static void putIn(PodSpec spec, List<Planned> planned, Map<String, Container> takenOut, List<Finding> findings) {
    if (planned.isEmpty()) {
      return;
    }
    List<Container> inits = new ArrayList<>();
    for (Planned p : planned) {
      Container was = takenOut.get(p.container().getName());
      if (was != null && SeedCopier.sameAs(was, p.container())) {
        inits.add(was); // as the API server stored it: no write for a difference it made itself
      } else {
        inits.add(p.container());
        findings.add(new Finding(p.seed().container(), null, Finding.Kind.SEEDER_SET, p.container().getName()));
      }
    }
    inits.addAll(Volumes.nonNull(spec.getInitContainers()));
    spec.setInitContainers(inits);
    for (Planned p : planned) {
      if (p.imageVolume() != null) {
        ensureVolume(spec, p.imageVolume());
      }
    }
  }

  /**
   * Removes the image volumes of recorded seeders that are not {@code now}'s, once nothing mounts
   * them and while they still read the recorded image.
   */
  static void removeStaleImageVolumes(PodSpec spec, RevertRecord prior, List<Seed> now, List<Finding> findings) {
    Set<String> wanted = new HashSet<>();
    now.forEach(s -> wanted.add(s.imageVolume()));
    for (Seed s : prior.seeds()) {
      if (s.imageVolume() == null || wanted.contains(s.imageVolume()) || Volumes.isMounted(spec, s.imageVolume())) {
        continue;
      }
      List<Volume> volumes = new ArrayList<>(Volumes.nonNull(spec.getVolumes()));
      Volume v = volumes.stream().filter(x -> s.imageVolume().equals(x.getName())).findFirst().orElse(null);
      if (v == null) {
        continue;
      }
      if (isRecorded(v, s)) {
        volumes.remove(v);
        spec.setVolumes(volumes);
      } else {
        findings.add(new Finding(s.container(), null, Finding.Kind.CHANGED_BY_OTHERS,
            "volume " + s.imageVolume() + " was changed since Rootlock added it; left in place"));
      }
    }
  }

  /** Exactly the image volume recorded for {@code s}: its name and image, nothing else. */
  private static boolean isRecorded(Volume v, Seed s) {
    Volume recorded = new io.fabric8.kubernetes.api.model.VolumeBuilder().withName(s.imageVolume())
        .withNewImage().withReference(s.image()).withPullPolicy(s.pullPolicy()).endImage().build();
    return Objects.equals(Volumes.tree(v), Volumes.tree(recorded));
  }

  private static void ensureVolume(PodSpec spec, Volume wanted) {
    List<Volume> volumes = new ArrayList<>(Volumes.nonNull(spec.getVolumes()));
    for (int i = 0; i < volumes.size(); i++) {
      if (wanted.getName().equals(volumes.get(i).getName())) {
        if (!Objects.equals(Volumes.tree(volumes.get(i)), Volumes.tree(wanted))) {
          volumes.set(i, wanted); // drift, or the app's image changed: the volume reads it as wanted
          spec.setVolumes(volumes);
        }
        return;
      }
    }
    volumes.add(wanted);
    spec.setVolumes(volumes);
  }

  /** {@code rootlock-seed-<container>}, shortened with a digest to 63 characters, never a name the pod has. */
  static String seederName(String container, Set<String> taken) {
    String natural = SeedCopier.NAME_PREFIX + container;
    if (natural.length() <= 63 && !taken.contains(natural)) {
      return natural;
    }
    String base = SeedCopier.NAME_PREFIX + VolumeNames.slug(container).replaceAll("-+$", "");
    base = base.substring(0, Math.min(base.length(), 63 - 7)).replaceAll("-+$", "");
    for (int salt = 0; ; salt++) {
      String name = base + "-" + VolumeNames.hash(container + "\u0000" + salt);
      if (!taken.contains(name)) {
        return name;
      }
    }
  }

  /** Every container name the pod uses, init and regular. */
  static Set<String> containerNames(PodSpec spec) {
    Set<String> names = new HashSet<>();
    Volumes.allContainers(spec).forEach(c -> names.add(c.getName()));
    return names;
  }
}
