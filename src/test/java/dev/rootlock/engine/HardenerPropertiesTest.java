package dev.rootlock.engine;

import static dev.rootlock.testing.Manifests.tree;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.api.ReadOnlyPolicySpec;
import dev.rootlock.api.SeedMethod;
import dev.rootlock.api.SeedSpec;
import dev.rootlock.testing.EngineInvariants;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The engine's guarantees over generated pod templates and policies: 0-30 containers and init
 * containers with names up to 63 characters, volumes of every kind (some named like Rootlock's),
 * mounts at, above and below the declared paths, subPaths, trailing slashes, pod- and
 * container-level securityContexts, explicit readOnlyRootFilesystem false, null lists, and
 * policies with 0-32 paths, some of them seeded (by either method, on platforms with and without
 * image volumes). Seeded, so every run checks the same cases.
 */
class HardenerPropertiesTest {
  static final int TRIES = 10_000;
  static final String SEED = "20261126";

  /** A template, the rules to harden it with, and the hardener of a platform with or without image volumes. */
  record Case(PodTemplateSpec template, PolicyRules rules, Hardener hardener) {
    @Override
    public String toString() {
      return "rules=" + rules + "\ntemplate=" + tree(template);
    }
  }

  @Property(tries = TRIES, seed = SEED)
  void applyMakesEveryHardenedContainerCompliantAndChangesNothingElse(@ForAll("cases") Case c) {
    String before = tree(c.template()).toString();
    Hardening h = c.hardener().harden(c.template(), c.rules(), RevertRecord.EMPTY);

    assertThat(tree(c.template()).toString()).as("input untouched").isEqualTo(before);
    EngineInvariants.assertCompliant(h.template(), c.rules());
    EngineInvariants.assertSeeded(h.template(), h.record());
    EngineInvariants.assertCrashLogsRideAlong(c.template(), h.template(), h.changed(), c.rules());
    EngineInvariants.assertVolumeNamesValid(h.template());
    assertThat(EngineInvariants.withoutRootlockChanges(h.template(), h.record())).isEqualTo(tree(c.template()));
    Statistics.label("seeders").collect(h.record().seeds().isEmpty() ? "none"
        : h.record().seeds().stream().anyMatch(x -> x.imageVolume() != null) ? "image volume" : "copy only");
    Statistics.label("seeders").coverage(cover -> {
      cover.check("copy only").percentage(p -> p > 10);
      cover.check("image volume").percentage(p -> p > 10);
    });
  }

  @Property(tries = TRIES, seed = SEED)
  void applyingTwiceEqualsApplyingOnce(@ForAll("cases") Case c) {
    Hardening once = c.hardener().harden(c.template(), c.rules(), RevertRecord.EMPTY);
    Hardening twice = c.hardener().harden(once.template(), c.rules(), once.record());

    assertThat(twice.changed()).isFalse();
    assertThat(twice.record()).isEqualTo(once.record());
  }

  @Property(tries = TRIES, seed = SEED)
  void revertOfApplyIsTheOriginal(@ForAll("cases") Case c) throws Exception {
    Hardening h = c.hardener().harden(c.template(), c.rules(), RevertRecord.EMPTY);
    RevertRecord stored = RevertRecord.parse(h.record().toJson());

    assertThat(tree(c.hardener().revert(h.template(), stored).template())).isEqualTo(tree(c.template()));
  }

  // --- generators -------------------------------------------------------------------------

  /** Paths policies declare; mounts are drawn around the same ones so they interact. */
  static final List<String> PATHS = List.of("/tmp", "/var/cache", "/var/cache/nginx", "/var/run", "/run",
      "/home/app/.cache", "/data", "/var/lib/app/tmp", "/opt/app/logs", "/srv", "/var", "/etc/app/run",
      "/usr/share/nginx/html", "/var/tmp", "/cache", "/work", "/a", "/a/b", "/a/b/c", "/x/y", "/x/y/z",
      "/var/log", "/var/log/app", "/spool", "/state", "/scratch", "/sockets", "/pid", "/lock", "/q", "/r",
      "/s", "/t", "/u", "/v");
  static final List<String> EXTRA_MOUNTS = List.of("/", "/var/", "/tmp/", "/var/cache/", "/tmp/sub",
      "/var/cache/nginx/client_temp", "/etc/config", "/opt", "/a/b/", "/x");

  static final Hardener WITHOUT_IMAGE_VOLUMES = new Hardener();
  static final Hardener WITH_IMAGE_VOLUMES = new Hardener(new SeedPlatform(true, "rootlock:test"));

  @Provide
  Arbitrary<Case> cases() {
    return Combinators.combine(templates(), policies(), Arbitraries.of(WITHOUT_IMAGE_VOLUMES, WITH_IMAGE_VOLUMES))
        .as(Case::new);
  }

  Arbitrary<PolicyRules> policies() {
    Arbitrary<List<String>> paths = Arbitraries.of(PATHS).list().uniqueElements().ofMinSize(0).ofMaxSize(32);
    Arbitrary<Integer> split = Arbitraries.integers().between(0, 32);
    Arbitrary<Integer> seeded = Arbitraries.integers().between(0, 6);
    Arbitrary<Boolean> trailingSlash = Arbitraries.of(true, false);
    Arbitrary<String> size = Arbitraries.of("1Mi", "64Mi", "128Mi", "1Gi", "500M");
    Arbitrary<Boolean> init = Arbitraries.of(true, false);
    Arbitrary<Boolean> onlySome = Arbitraries.integers().between(0, 3).map(i -> i == 0);
    Arbitrary<SeedMethod> method = Arbitraries.of(SeedMethod.values()).injectNull(0.2);
    return Combinators.combine(paths, split, seeded, trailingSlash, size, init, onlySome, method)
        .as((ps, at, seeds, slash, sz, in, some, how) -> {
      ReadOnlyPolicySpec spec = new ReadOnlyPolicySpec();
      // the last few paths are seeded, the rest split between tmpPaths and cachePaths
      int seedFrom = Math.max(0, ps.size() - seeds);
      int cut = Math.min(at, seedFrom);
      spec.setTmpPaths(ps.subList(0, cut).stream().map(p -> slash ? p + "/" : p).toList());
      spec.setCachePaths(new ArrayList<>(ps.subList(cut, seedFrom)));
      spec.setSeedPaths(new ArrayList<>(ps.subList(seedFrom, ps.size())));
      if (how != null) {
        SeedSpec seed = new SeedSpec();
        seed.setMethod(how);
        spec.setSeed(seed);
      }
      spec.setSizeLimit(sz);
      spec.setInitContainers(in);
      if (some) {
        spec.setContainers(List.of("c0", "c1", "init0", "absent"));
      }
      PolicyRules.Validation v = PolicyRules.from(spec);
      assertThat(v.errors()).as("generated spec must be valid").isEmpty();
      return v.rules();
    });
  }

  Arbitrary<PodTemplateSpec> templates() {
    Arbitrary<List<Volume>> volumes = volume().list().ofMaxSize(8).uniqueElements(Volume::getName)
        .injectNull(0.1);
    Arbitrary<Integer> containers = Arbitraries.integers().between(0, 30);
    Arbitrary<Integer> inits = Arbitraries.integers().between(0, 4).map(i -> i == 4 ? 30 : i);
    Arbitrary<Long> seed = Arbitraries.longs();
    Arbitrary<Boolean> podSecurity = Arbitraries.of(true, false);
    return Combinators.combine(volumes, containers, inits, seed, podSecurity).as((vols, n, ni, s, psc) -> {
      java.util.Random random = new java.util.Random(s);
      List<String> volumeNames = vols == null ? List.of() : vols.stream().map(Volume::getName).toList();
      PodSpec spec = new PodSpec();
      spec.setVolumes(vols == null ? null : new ArrayList<>(vols));
      if (psc) {
        spec.setSecurityContext(new PodSecurityContextBuilder().withRunAsNonRoot(true).withFsGroup(2000L).build());
      }
      spec.setContainers(containerList("c", n, volumeNames, random));
      spec.setInitContainers(ni == 0 && random.nextBoolean() ? null : containerList("init", ni, volumeNames, random));
      PodTemplateSpec t = new PodTemplateSpec();
      t.setSpec(spec);
      return t;
    });
  }

  private static List<Container> containerList(String prefix, int n, List<String> volumeNames, java.util.Random r) {
    List<Container> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = prefix + i;
      if (r.nextInt(5) == 0) {
        name = (name + "-" + "x".repeat(63)).substring(0, 63); // at the length limit
      } else if (r.nextInt(8) == 0) {
        name = prefix + i + "-rl-tmp"; // named like an injected volume
      }
      out.add(new ContainerBuilder().withName(name).withImage("img:" + i)
          .withSecurityContext(securityContext(r))
          .withVolumeMounts(mounts(volumeNames, r))
          .build());
      if (r.nextInt(10) == 0) {
        out.get(i).setVolumeMounts(null);
      }
    }
    return out;
  }

  private static SecurityContext securityContext(java.util.Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> null;
      case 1 -> new SecurityContext();
      case 2 -> new SecurityContextBuilder().withReadOnlyRootFilesystem(false).build();
      case 3 -> new SecurityContextBuilder().withReadOnlyRootFilesystem(true).build();
      case 4 -> new SecurityContextBuilder().withRunAsUser(1000L).withAllowPrivilegeEscalation(false).build();
      default -> new SecurityContextBuilder().withReadOnlyRootFilesystem(false).withNewCapabilities()
          .addToDrop("ALL").endCapabilities().build();
    };
  }

  /** Mounts of existing volumes at unique paths: declared ones, parents, children, trailing slashes. */
  private static List<VolumeMount> mounts(List<String> volumeNames, java.util.Random r) {
    if (volumeNames.isEmpty()) {
      return new ArrayList<>();
    }
    List<VolumeMount> out = new ArrayList<>();
    Set<String> used = new HashSet<>();
    int n = r.nextInt(5);
    for (int i = 0; i < n; i++) {
      String path = r.nextBoolean() ? PATHS.get(r.nextInt(PATHS.size())) : EXTRA_MOUNTS.get(r.nextInt(EXTRA_MOUNTS.size()));
      if (!used.add(Paths.normalize(path))) {
        continue;
      }
      VolumeMountBuilder m = new VolumeMountBuilder().withName(volumeNames.get(r.nextInt(volumeNames.size())))
          .withMountPath(path);
      if (r.nextInt(4) == 0) {
        m.withSubPath("sub" + i);
      }
      if (r.nextInt(4) == 0) {
        m.withReadOnly(r.nextBoolean());
      }
      out.add(m.build());
    }
    return out;
  }

  /** Volumes of every kind, some named exactly like Rootlock's own. */
  Arbitrary<Volume> volume() {
    Arbitrary<String> names = Arbitraries.oneOf(
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(20),
        // the very names Rootlock would pick for container c0, so collisions really happen
        Arbitraries.of(VolumeNames.forInjection("c0", "/tmp", java.util.Set.of()),
            VolumeNames.forInjection("c0", "/var/cache", java.util.Set.of()),
            VolumeNames.forInjection("c1", "/tmp", java.util.Set.of()), "tmp", "cache", "c0", "data"));
    Arbitrary<Integer> kind = Arbitraries.integers().between(0, 8);
    return Combinators.combine(names, kind).as((name, k) -> {
      VolumeBuilder v = new VolumeBuilder().withName(name);
      switch (k) {
        case 0 -> v.withNewEmptyDir().endEmptyDir();
        case 1 -> v.withNewEmptyDir().withMedium("Memory").withSizeLimit(new Quantity("64Mi")).endEmptyDir();
        case 2 -> v.withNewConfigMap().withName("cm").endConfigMap();
        case 3 -> v.withNewSecret().withSecretName("s").endSecret();
        case 4 -> v.withNewPersistentVolumeClaim().withClaimName("pvc").endPersistentVolumeClaim();
        case 5 -> v.withNewHostPath().withPath("/var/lib/x").endHostPath();
        case 6 -> v.withNewProjected().addNewSource().withNewServiceAccountToken().withPath("token")
            .endServiceAccountToken().endSource().endProjected();
        case 7 -> v.withNewDownwardAPI().addNewItem().withPath("labels").withNewFieldRef()
            .withFieldPath("metadata.labels").endFieldRef().endItem().endDownwardAPI();
        default -> v.withNewNfs().withServer("nfs").withPath("/export").endNfs();
      }
      return v.build();
    });
  }
}
