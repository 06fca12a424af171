package dev.rootlock.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rootlock.api.SeedMethod;
import dev.rootlock.engine.RevertRecord.Injection;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The init container that fills one container's seeded emptyDirs with the image's files, and the
 * image volume it reads them from (ImageVolume). Pure: the same inputs give the same container,
 * byte for byte, so the reconcile, the webhook and {@code plan} agree, and a second run writes nothing.
 *
 * <p>It copies with the platform's own {@code sh} and {@code cp} (no Java in an init container: a
 * JVM would cost a second and tens of MiB per pod start for a job {@code cp -RPp} does), see
 * docs/seeding.md.
 */
final class SeedCopier {
  static final String NAME_PREFIX = "rootlock-seed-";
  /** Where an ImageVolume seeder sees the app's image. */
  static final String IMAGE_ROOT = "/rootlock/image";
  /** Where a seeder sees each seeded volume: this prefix and the volume's name. */
  static final String SEED_ROOT = "/rootlock/seed/";
  static final String DEFAULT_MESSAGE_PATH = "/dev/termination-log";
  static final String IF_NOT_PRESENT = "IfNotPresent";
  static final String ALWAYS = "Always";

  /**
   * The copy, as {@code sh -c SCRIPT rootlock-seed ROOT FROM TO [FROM TO ...]}: ROOT is where the
   * image's root is seen ("" for the image itself, {@link #IMAGE_ROOT} for an image volume). Per
   * pair: a directory the image lacks leaves the volume empty; a file there is an error (seedPaths
   * name directories); otherwise whatever an interrupted run left in the volume is removed first,
   * so every file is copied whole (a copy that skips existing files would keep a truncated one),
   * then each entry, hidden ones included, is copied with its mode, times and, where the user may
   * set it, its owner; symlinks stay symlinks. The volume's own directory keeps the emptyDir's
   * mode, so the app can write there whatever user it runs as. In an image volume, symlinks on
   * the way to FROM are read inside the image (an absolute link points into the image, not into
   * the copier).
   */
  static final String SCRIPT = """
      set -eu
      root=$1
      shift
      resolve() {
        rest=${1#/} out= hops=0
        while [ -n "$rest" ]; do
          seg=${rest%%/*}
          case $rest in */*) rest=${rest#*/} ;; *) rest= ;; esac
          case $seg in ''|.) continue ;; ..) out=${out%/*}; continue ;; esac
          if [ -L "$root$out/$seg" ]; then
            hops=$((hops + 1))
            [ "$hops" -le 40 ] || { echo "rootlock-seed: too many symlinks in $1" >&2; exit 1; }
            link=$(readlink "$root$out/$seg")
            case $link in /*) out= ;; esac
            rest=${link#/}${rest:+/$rest}
          else
            out=$out/$seg
          fi
        done
        echo "${out:-/}"
      }
      while [ $# -ge 2 ]; do
        from=$1 to=$2
        shift 2
        if [ -n "$root" ]; then from=$(resolve "$from"); fi
        src=$root$from
        if [ -d "$src" ]; then
          for old in "$to"/* "$to"/.[!.]* "$to"/..?*; do
            if [ -d "$old" ] && [ ! -L "$old" ]; then chmod -R u+w "$old" 2>/dev/null || :; fi
            if [ -e "$old" ] || [ -L "$old" ]; then rm -rf "$old"; fi
          done
          for entry in "$src"/* "$src"/.[!.]* "$src"/..?*; do
            if [ -e "$entry" ] || [ -L "$entry" ]; then cp -RPp "$entry" "$to"/; fi
          done
        elif [ -e "$src" ]; then
          echo "rootlock-seed: $from is not a directory in the image; seedPaths name directories" >&2
          exit 1
        fi
      done
      """;

  /** The copy itself needs little; the files it writes to memory emptyDirs are charged to it. */
  private static final Quantity CPU_REQUEST = new Quantity("10m");
  private static final Quantity MEMORY_REQUEST = new Quantity("16Mi");
  private static final BigInteger MEMORY_FOR_COPYING = BigInteger.valueOf(32L << 20);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Map entries (resources, annotations) in key order: the same container gives the same digest in every JVM. */
  private static final ObjectMapper CANONICAL = new ObjectMapper()
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private SeedCopier() {}

  /**
   * The seeder of {@code app}: its own image and shell (Copy) or the copier image reading
   * {@code imageVolume} (ImageVolume), with the app's securityContext (read-only root, no privilege
   * escalation), small requests, and a memory limit that holds the copied files when they go to
   * memory.
   *
   * @param seeded the app's seeded injections, in path order (parents first)
   */
  static Container container(String name, Container app, PodSpec pod, List<Injection> seeded, SeedMethod method,
      String imageVolume, SeedPlatform platform) {
    boolean fromVolume = method == SeedMethod.ImageVolume;
    List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT, "rootlock-seed",
        fromVolume ? IMAGE_ROOT : ""));
    List<VolumeMount> mounts = new ArrayList<>();
    if (fromVolume) {
      mounts.add(new VolumeMountBuilder().withName(imageVolume).withMountPath(IMAGE_ROOT).withReadOnly(true).build());
    }
    BigInteger memory = MEMORY_FOR_COPYING;
    for (Injection inj : seeded) {
      command.add(inj.path());
      command.add(SEED_ROOT + inj.volume());
      mounts.add(new VolumeMountBuilder().withName(inj.volume()).withMountPath(SEED_ROOT + inj.volume()).build());
      if (inj.inMemory()) {
        memory = memory.add(MemorySizing.bytes(new Quantity(inj.sizeLimit())));
      }
    }
    String image = fromVolume ? platform.copierImage() : app.getImage();
    return new ContainerBuilder()
        .withName(name)
        .withImage(image)
        .withImagePullPolicy(fromVolume ? defaultPullPolicy(image) : pullPolicy(app))
        .withCommand(command)
        .withVolumeMounts(mounts)
        .withSecurityContext(securityContext(app, pod, fromVolume))
        .withResources(new ResourceRequirementsBuilder()
            .withRequests(new TreeMap<>(Map.of("cpu", CPU_REQUEST, "memory", MEMORY_REQUEST)))
            .withLimits(new TreeMap<>(Map.of("memory", new Quantity(MemorySizing.format(memory)))))
            .build())
        .withTerminationMessagePath(DEFAULT_MESSAGE_PATH)
        .withTerminationMessagePolicy(Hardener.LOGS_ON_ERROR)
        .build();
  }

  /** The app's image as a read-only volume, pulled as the app's container pulls it. */
  static Volume imageVolume(String name, Container app) {
    return new VolumeBuilder().withName(name)
        .withNewImage().withReference(app.getImage()).withPullPolicy(pullPolicy(app)).endImage()
        .build();
  }

  /**
   * True when a seeder could not run as the app's user from an image volume: the user comes from
   * the app's image (no runAsUser anywhere) while runAsNonRoot forbids the copier running as root
   * to keep the image's owners. {@code Auto} then copies inside the app's own image instead.
   */
  static boolean userOnlyInImage(Container app, PodSpec pod) {
    SecurityContext sc = app.getSecurityContext();
    PodSecurityContext psc = pod.getSecurityContext();
    boolean userKnown = (sc != null && sc.getRunAsUser() != null) || (psc != null && psc.getRunAsUser() != null);
    return !userKnown && runAsNonRoot(sc, psc);
  }

  /**
   * The app's securityContext with a read-only root and no privilege escalation (which the API
   * server refuses beside privileged or CAP_SYS_ADMIN: those are left as they are). Reading an
   * image volume, the copier has no user of its own to share with the app: when the app's user is
   * the image's (no runAsUser) it copies as root, so the files keep the owners the image gave them.
   */
  private static SecurityContext securityContext(Container app, PodSpec pod, boolean fromVolume) {
    SecurityContext sc = app.getSecurityContext() == null ? new SecurityContext()
        : new SecurityContextBuilder(app.getSecurityContext()).build();
    sc.setReadOnlyRootFilesystem(true);
    boolean sysAdmin = sc.getCapabilities() != null && Volumes.nonNull(sc.getCapabilities().getAdd()).stream()
        .anyMatch(c -> c.equals("SYS_ADMIN") || c.equals("CAP_SYS_ADMIN"));
    if (!Boolean.TRUE.equals(sc.getPrivileged()) && !sysAdmin) {
      sc.setAllowPrivilegeEscalation(false);
    }
    PodSecurityContext psc = pod.getSecurityContext();
    if (fromVolume && sc.getRunAsUser() == null && (psc == null || psc.getRunAsUser() == null)
        && !runAsNonRoot(sc, psc)) {
      sc.setRunAsUser(0L);
    }
    return sc;
  }

  private static boolean runAsNonRoot(SecurityContext sc, PodSecurityContext psc) {
    if (sc != null && sc.getRunAsNonRoot() != null) {
      return sc.getRunAsNonRoot();
    }
    return psc != null && Boolean.TRUE.equals(psc.getRunAsNonRoot());
  }

  /** The app's own pull policy, or the one the API server would default it to. */
  static String pullPolicy(Container app) {
    return app.getImagePullPolicy() != null ? app.getImagePullPolicy() : defaultPullPolicy(app.getImage());
  }

  /**
   * The API server's default for a container's (and an image volume's) pull policy: Always for an
   * image without a tag or tagged latest, IfNotPresent otherwise (a digest counts as pinned).
   * Written out, so the template read back equals the one written and no second write follows.
   */
  static String defaultPullPolicy(String image) {
    if (image == null || image.contains("@")) {
      return IF_NOT_PRESENT;
    }
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    if (colon <= slash) {
      return ALWAYS;
    }
    return image.substring(colon + 1).equals("latest") ? ALWAYS : IF_NOT_PRESENT;
  }

  /**
   * {@code c} as the API server stores it: the fields it defaults on a container filled in, so a
   * seeder read back compares equal to the one written.
   */
  static Container asStored(Container c) {
    Container copy = new ContainerBuilder(c).build();
    if (copy.getTerminationMessagePath() == null) {
      copy.setTerminationMessagePath(DEFAULT_MESSAGE_PATH);
    }
    if (copy.getTerminationMessagePolicy() == null) {
      copy.setTerminationMessagePolicy(Hardener.FILE);
    }
    if (copy.getImagePullPolicy() == null) {
      copy.setImagePullPolicy(defaultPullPolicy(copy.getImage()));
    }
    return copy;
  }

  /** True when {@code current} is {@code desired} as the API server stores it. */
  static boolean sameAs(Container current, Container desired) {
    return JSON.valueToTree(asStored(current)).equals(JSON.valueToTree(asStored(desired)));
  }

  /** A stable digest of a seeder as stored (16 hex digits), so undo can tell ours from an edited one. */
  static String fingerprint(Container c) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest(CANONICAL.writeValueAsString(asStored(c)).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException | JsonProcessingException e) {
      throw new IllegalStateException("a container always serialises and SHA-256 is part of every JVM", e);
    }
  }
}
