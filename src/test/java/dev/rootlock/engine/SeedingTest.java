package dev.rootlock.engine;

import static dev.rootlock.testing.Manifests.rules;
import static dev.rootlock.testing.Manifests.template;
import static dev.rootlock.testing.Manifests.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rootlock.testing.EngineInvariants;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Seeded paths (spec.seedPaths): the init container that fills them, both methods, what the record
 * keeps, drift, and undo. The invariants every template must keep (idempotence, exact revert) run
 * over generated templates in {@link HardenerPropertiesTest} and over the table in {@link HardenerTest}.
 */
class SeedingTest {
  static final SeedPlatform IMAGE_VOLUMES = new SeedPlatform(true, "registry.example/rootlock:1.2");
  final Hardener copyOnly = new Hardener();
  final Hardener withImageVolumes = new Hardener(IMAGE_VOLUMES);
  static final PodTemplateSpec WEB = template("""
      spec:
        initContainers:
        - {name: migrate, image: "flyway:10"}
        containers:
        - name: web
          image: "nginx:1.27"
          imagePullPolicy: Always
          securityContext: {runAsUser: 101, runAsNonRoot: true, capabilities: {drop: [ALL]}}
          resources: {limits: {memory: 512Mi}}
        """);
  static final String SEEDED = "{seedPaths: [/etc/nginx/conf.d, /usr/share/nginx/html]}";

  @Test
  void aPodWithoutSeededPathsGetsNothingMore() {
    Hardening h = withImageVolumes.harden(WEB, rules("{cachePaths: [/var/cache/nginx]}"), RevertRecord.EMPTY);
    assertThat(h.template().getSpec().getInitContainers()).extracting(Container::getName).containsExactly("migrate");
    assertThat(h.template().getSpec().getVolumes()).allMatch(v -> v.getEmptyDir() != null);
    assertThat(h.record().seeds()).isEmpty();
    assertThat(h.record().toJson()).startsWith("{\"v\":2,");
  }

  @Test
  void copyRunsTheAppsOwnImageWithItsOwnSecurityContextBeforeEveryOtherInitContainer() {
    Hardening h = copyOnly.harden(WEB, rules(SEEDED), RevertRecord.EMPTY);
    List<Container> inits = h.template().getSpec().getInitContainers();
    assertThat(inits).extracting(Container::getName).containsExactly("rootlock-seed-web", "migrate");
    Container seeder = inits.get(0);
    assertThat(seeder.getImage()).isEqualTo("nginx:1.27");
    assertThat(seeder.getImagePullPolicy()).as("pulled as the app pulls").isEqualTo("Always");
    assertThat(seeder.getCommand()).startsWith("/bin/sh", "-c", SeedCopier.SCRIPT, "rootlock-seed", "")
        .hasSize(9);
    assertThat(seeder.getSecurityContext().getRunAsUser()).isEqualTo(101L);
    assertThat(seeder.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(seeder.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(seeder.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(seeder.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(seeder.getResources().getRequests()).containsOnly(Map.entry("cpu", new Quantity("10m")),
        Map.entry("memory", new Quantity("16Mi")));
    assertThat(seeder.getResources().getLimits()).as("32Mi to copy with, and the two memory volumes it fills")
        .containsOnly(Map.entry("memory", new Quantity("160Mi")));
    assertThat(seeder.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    assertThat(seeder.getVolumeMounts()).extracting(m -> m.getMountPath())
        .allMatch(p -> p.startsWith("/rootlock/seed/rl-web-"));
    assertThat(h.template().getSpec().getVolumes()).noneMatch(v -> v.getImage() != null);
    assertThat(h.changeSummary()).contains("writable (memory): web:/tmp")
        .contains("seeded from the image (memory): web:/etc/nginx/conf.d, web:/usr/share/nginx/html");
    assertThat(h.findings(Finding.Kind.SEEDER_SET)).singleElement().satisfies(f -> assertThat(f.describe())
        .isEqualTo("container web: init container rootlock-seed-web fills its seeded paths from the image"));
    assertThat(copyOnly.harden(WEB, rules("{seedPaths: [/etc/nginx/conf.d, /usr/share/nginx/html], "
        + "memoryShareWarning: 25}"), RevertRecord.EMPTY).warnings())
        .as("the seeded memory volumes count against the app's limit")
        .containsExactly("tmpfs may use up to 192Mi of web's 512Mi limit");
    EngineInvariants.assertSeeded(h.template(), h.record());
  }

  @Test
  void anImageVolumeIsTheAppsImageReadByTheCopierImage() {
    Hardening h = withImageVolumes.harden(WEB, rules(SEEDED), RevertRecord.EMPTY);
    Container seeder = h.template().getSpec().getInitContainers().get(0);
    assertThat(seeder.getImage()).isEqualTo("registry.example/rootlock:1.2");
    assertThat(seeder.getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(seeder.getCommand().get(4)).isEqualTo("/rootlock/image");
    assertThat(seeder.getSecurityContext().getRunAsUser()).as("the app's user, so the copies are its").isEqualTo(101L);
    Volume image = h.template().getSpec().getVolumes().stream().filter(v -> v.getImage() != null)
        .findFirst().orElseThrow();
    assertThat(image.getImage().getReference()).isEqualTo("nginx:1.27");
    assertThat(image.getImage().getPullPolicy()).isEqualTo("Always");
    assertThat(seeder.getVolumeMounts().get(0)).satisfies(m -> {
      assertThat(m.getName()).isEqualTo(image.getName());
      assertThat(m.getMountPath()).isEqualTo("/rootlock/image");
      assertThat(m.getReadOnly()).isTrue();
    });
    assertThat(h.record().seeds()).singleElement().satisfies(s -> {
      assertThat(s.method()).isEqualTo("ImageVolume");
      assertThat(s.imageVolume()).isEqualTo(image.getName());
      assertThat(s.image()).isEqualTo("nginx:1.27");
    });
    assertThat(tree(withImageVolumes.revert(h.template(), h.record()).template())).isEqualTo(tree(WEB));
  }

  @Test
  void autoMeansImageVolumeOnlyWhereServedAndWhereTheCopierCanTakeTheAppsUser() {
    PodTemplateSpec imageUser = template("""
        spec:
          securityContext: {runAsNonRoot: true}
          containers: [{name: app, image: "app:1"}]""");
    PodTemplateSpec rootInImage = template("spec: {containers: [{name: app, image: \"app:1\"}]}");
    String auto = "{seedPaths: [/opt/app/conf]}";
    assertThat(method(copyOnly.harden(rootInImage, rules(auto), RevertRecord.EMPTY))).isEqualTo("Copy");
    assertThat(method(withImageVolumes.harden(rootInImage, rules(auto), RevertRecord.EMPTY)))
        .isEqualTo("ImageVolume");
    assertThat(withImageVolumes.harden(rootInImage, rules(auto), RevertRecord.EMPTY).template().getSpec()
        .getInitContainers().get(0).getSecurityContext().getRunAsUser())
        .as("the app's user is the image's: the copier keeps the image's owners as root").isEqualTo(0L);
    assertThat(method(withImageVolumes.harden(imageUser, rules(auto), RevertRecord.EMPTY)))
        .as("runAsNonRoot with the user only in the image: copied inside the app's image").isEqualTo("Copy");
    assertThat(method(copyOnly.harden(imageUser, rules("{seedPaths: [/opt/app/conf], seed: {method: ImageVolume}}"),
        RevertRecord.EMPTY))).as("asked for, ImageVolume is used wherever").isEqualTo("ImageVolume");
    assertThat(copyOnly.harden(imageUser, rules("{seedPaths: [/opt/app/conf], seed: {method: ImageVolume}}"),
        RevertRecord.EMPTY).template().getSpec().getInitContainers().get(0).getSecurityContext().getRunAsUser())
        .as("never root where runAsNonRoot says so").isNull();
  }

  @Test
  void privilegedOrSysAdminContainersKeepTheirEscalationSettingWhichTheApiServerWouldRefuseOtherwise() {
    PodTemplateSpec t = template("""
        spec:
          containers:
          - {name: a, image: x, securityContext: {privileged: true}}
          - {name: b, image: x, securityContext: {capabilities: {add: [SYS_ADMIN]}}}""");
    Hardening h = copyOnly.harden(t, rules("{seedPaths: [/opt/x]}"), RevertRecord.EMPTY);
    assertThat(h.template().getSpec().getInitContainers())
        .allSatisfy(c -> assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isNull());
  }

  @Test
  void applyingTwiceWritesNothingAndTheServersDefaultsAreNoDrift() {
    Hardening once = withImageVolumes.harden(WEB, rules(SEEDED), RevertRecord.EMPTY);
    assertThat(withImageVolumes.harden(once.template(), rules(SEEDED), once.record()).changed()).isFalse();
    // what the API server stores: the container's defaulted fields filled in (Rootlock writes them
    // already) and quantities as it prints them
    PodTemplateSpec stored = new PodTemplateSpecBuilder(once.template()).build();
    Container seeder = stored.getSpec().getInitContainers().get(0);
    seeder.getResources().getLimits().put("memory", new Quantity("160Mi"));
    Hardening again = withImageVolumes.harden(stored, rules(SEEDED), once.record());
    assertThat(again.changed()).isFalse();
    assertThat(again.record()).isEqualTo(once.record());
  }

  @Test
  void aSeederTakenAwayEditedOrMovedIsPutBackAsItWas() {
    Hardening h = copyOnly.harden(WEB, rules(SEEDED), RevertRecord.EMPTY);
    for (java.util.function.Consumer<PodTemplateSpec> drift : List.<java.util.function.Consumer<PodTemplateSpec>>of(
        t -> t.getSpec().getInitContainers().remove(0),
        t -> t.getSpec().getInitContainers().get(0).setCommand(List.of("true")),
        t -> t.getSpec().getInitContainers().add(t.getSpec().getInitContainers().remove(0)))) {
      PodTemplateSpec drifted = new PodTemplateSpecBuilder(h.template()).build();
      drift.accept(drifted);
      Hardening fixed = copyOnly.harden(drifted, rules(SEEDED), h.record());
      assertThat(fixed.changed()).isTrue();
      assertThat(tree(fixed.template())).isEqualTo(tree(h.template()));
      assertThat(fixed.record()).isEqualTo(h.record());
      assertThat(fixed.findings(Finding.Kind.SEEDER_SET)).hasSize(1);
    }
  }

  @Test
  void undoLeavesASeederSomeoneChangedAndTheVolumesItStillMounts() {
    Hardening h = copyOnly.harden(WEB, rules(SEEDED), RevertRecord.EMPTY);
    PodTemplateSpec edited = new PodTemplateSpecBuilder(h.template()).build();
    edited.getSpec().getInitContainers().get(0).setImage("nginx:1.28");

    Hardening reverted = copyOnly.revert(edited, h.record());

    var spec = reverted.template().getSpec();
    assertThat(spec.getInitContainers()).extracting(Container::getName).containsExactly("rootlock-seed-web", "migrate");
    assertThat(spec.getContainers().get(0).getVolumeMounts()).isEmpty();
    assertThat(spec.getVolumes()).as("the volumes the edited seeder mounts stay, so the pod stays valid")
        .extracting(Volume::getName).containsExactlyInAnyOrderElementsOf(
            h.record().injections().stream().filter(RevertRecord.Injection::isSeeded)
                .map(RevertRecord.Injection::volume).toList());
    assertThat(reverted.findings(Finding.Kind.CHANGED_BY_OTHERS)).extracting(Finding::describe)
        .contains("container web: init container rootlock-seed-web was changed since Rootlock added it; left in place");
    assertThat(reverted.record().isEmpty()).isTrue();
  }

  @Test
  void changingTheMethodReplacesTheSeederAndItsVolumeAndUndoStaysExact() {
    String copy = "{seedPaths: [/etc/nginx/conf.d], seed: {method: Copy}}";
    String volume = "{seedPaths: [/etc/nginx/conf.d], seed: {method: ImageVolume}}";
    Hardening first = copyOnly.harden(WEB, rules(copy), RevertRecord.EMPTY);
    Hardening second = copyOnly.harden(first.template(), rules(volume), first.record());
    assertThat(second.changed()).isTrue();
    assertThat(tree(second.template())).isEqualTo(tree(copyOnly.harden(WEB, rules(volume), RevertRecord.EMPTY)
        .template()));
    Hardening third = copyOnly.harden(second.template(), rules(copy), second.record());
    assertThat(tree(third.template())).as("back to Copy: the image volume is gone").isEqualTo(tree(first.template()));
    assertThat(tree(copyOnly.revert(second.template(), second.record()).template())).isEqualTo(tree(WEB));
  }

  @Test
  void droppingSeededPathsShrinksThenRemovesTheSeederAndAPathMovedToCachePathsIsNoLongerCopied() {
    Hardening both = copyOnly.harden(WEB, rules(SEEDED), RevertRecord.EMPTY);
    Hardening one = copyOnly.harden(both.template(), rules("{seedPaths: [/etc/nginx/conf.d]}"), both.record());
    assertThat(unordered(one.template())).isEqualTo(unordered(copyOnly.harden(WEB,
        rules("{seedPaths: [/etc/nginx/conf.d]}"), RevertRecord.EMPTY).template()));
    Hardening moved = copyOnly.harden(one.template(), rules("{cachePaths: [/etc/nginx/conf.d]}"), one.record());
    assertThat(moved.template().getSpec().getInitContainers()).extracting(Container::getName)
        .containsExactly("migrate");
    assertThat(moved.record().injections()).noneMatch(RevertRecord.Injection::isSeeded);
    assertThat(unordered(moved.template())).isEqualTo(unordered(copyOnly.harden(WEB,
        rules("{cachePaths: [/etc/nginx/conf.d]}"), RevertRecord.EMPTY).template()));
  }

  @Test
  void theSeederFollowsTheAppsImage() {
    Hardening h = withImageVolumes.harden(WEB, rules(SEEDED), RevertRecord.EMPTY);
    PodTemplateSpec deployed = new PodTemplateSpecBuilder(h.template()).build();
    deployed.getSpec().getContainers().get(0).setImage("nginx:1.28");
    Hardening after = withImageVolumes.harden(deployed, rules(SEEDED), h.record());
    assertThat(after.template().getSpec().getVolumes()).filteredOn(v -> v.getImage() != null).singleElement()
        .satisfies(v -> assertThat(v.getImage().getReference()).isEqualTo("nginx:1.28"));
    assertThat(after.record().seeds().get(0).image()).isEqualTo("nginx:1.28");
    PodTemplateSpec back = new PodTemplateSpecBuilder(WEB).build();
    back.getSpec().getContainers().get(0).setImage("nginx:1.28");
    assertThat(tree(withImageVolumes.revert(after.template(), after.record()).template())).isEqualTo(tree(back));
  }

  @Test
  void exemptContainersAndThoseNotSelectedGetNoSeeder() {
    PodTemplateSpec t = template("""
        spec:
          containers:
          - {name: app, image: "app:1"}
          - {name: istio-proxy, image: "istio/proxyv2:1.22"}
          - {name: other, image: "other:1"}""");
    Hardening h = copyOnly.harden(t, rules("{seedPaths: [/opt/conf], excludeContainers: [istio-*], "
        + "containers: [app, istio-proxy]}"), RevertRecord.EMPTY);
    assertThat(h.template().getSpec().getInitContainers()).extracting(Container::getName)
        .containsExactly("rootlock-seed-app");
    Hardening later = copyOnly.harden(h.template(), rules("{seedPaths: [/opt/conf], excludeContainers: [app]}"),
        h.record());
    assertThat(later.template().getSpec().getInitContainers()).extracting(Container::getName)
        .as("app exempt now: its seeder goes with its hardening").containsExactly("rootlock-seed-istio-proxy",
            "rootlock-seed-other");
  }

  @Test
  void aPathTheTeamAlreadyMountsNeedsNoSeeder() {
    PodTemplateSpec t = template("""
        spec:
          containers:
          - name: web
            image: nginx
            volumeMounts: [{name: conf, mountPath: /etc/nginx}]
          volumes: [{name: conf, configMap: {name: web}}]""");
    Hardening h = copyOnly.harden(t, rules("{seedPaths: [/etc/nginx/conf.d]}"), RevertRecord.EMPTY);
    assertThat(h.template().getSpec().getInitContainers()).isEmpty();
    assertThat(h.findings(Finding.Kind.PATH_ALREADY_MOUNTED)).singleElement();
  }

  @Test
  void pullPoliciesAreWrittenAsTheApiServerWouldDefaultThem() {
    assertThat(SeedCopier.defaultPullPolicy("nginx")).isEqualTo("Always");
    assertThat(SeedCopier.defaultPullPolicy("nginx:latest")).isEqualTo("Always");
    assertThat(SeedCopier.defaultPullPolicy("registry:5000/nginx")).isEqualTo("Always");
    assertThat(SeedCopier.defaultPullPolicy("registry:5000/nginx:1.27")).isEqualTo("IfNotPresent");
    assertThat(SeedCopier.defaultPullPolicy("nginx@sha256:abc")).isEqualTo("IfNotPresent");
  }

  @Test
  void seederNamesAreValidStableAndNeverTheTeams() {
    assertThat(Seeds.seederName("web", java.util.Set.of())).isEqualTo("rootlock-seed-web");
    String taken = Seeds.seederName("web", java.util.Set.of("rootlock-seed-web"));
    assertThat(taken).startsWith("rootlock-seed-web-").hasSizeLessThanOrEqualTo(63)
        .isEqualTo(Seeds.seederName("web", java.util.Set.of("rootlock-seed-web")));
    String longName = Seeds.seederName("c-" + "x".repeat(61), java.util.Set.of());
    assertThat(longName).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  }

  @Test
  void theFingerprintDoesNotDependOnTheOrderOfMapEntries() {
    Container a = copyOnly.harden(WEB, rules(SEEDED), RevertRecord.EMPTY).template().getSpec()
        .getInitContainers().get(0);
    Container b = new io.fabric8.kubernetes.api.model.ContainerBuilder(a).build();
    var limits = new java.util.LinkedHashMap<String, Quantity>();
    limits.put("memory", new Quantity("160Mi"));
    var requests = new java.util.LinkedHashMap<String, Quantity>();
    requests.put("memory", new Quantity("16Mi"));
    requests.put("cpu", new Quantity("10m"));
    b.getResources().setLimits(limits);
    b.getResources().setRequests(requests);
    assertThat(SeedCopier.fingerprint(b)).isEqualTo(SeedCopier.fingerprint(a)).hasSize(16);
  }

  @Test
  void theRecordIsVersionFourAndAnOlderOneWithSeedsIsNotTrusted() throws Exception {
    Hardening h = withImageVolumes.harden(WEB, rules(SEEDED), RevertRecord.EMPTY);
    String json = h.record().toJson();
    assertThat(json).startsWith("{\"v\":4,").contains("\"seeded\":true").contains("\"seeds\":[");
    assertThat(RevertRecord.parse(json)).isEqualTo(h.record());
    assertThatThrownBy(() -> RevertRecord.parse(json.replace("{\"v\":4,", "{\"v\":3,")))
        .isInstanceOf(RevertRecord.InvalidRevertRecordException.class);
    assertThatThrownBy(() -> RevertRecord.parse(json.replace("\"method\":\"ImageVolume\"", "\"method\":\"Magic\"")))
        .isInstanceOf(RevertRecord.InvalidRevertRecordException.class).hasMessageContaining("seed entry");
    assertThatThrownBy(() -> RevertRecord.parse(json.replace("\"initContainer\":\"rootlock-seed-web\"",
        "\"initContainer\":\"Not A Name\""))).isInstanceOf(RevertRecord.InvalidRevertRecordException.class);
    assertThatThrownBy(() -> RevertRecord.parse("{\"v\":5}")).hasMessageContaining("unsupported revert record "
        + "version 5");
  }

  @Test
  void aWorkloadHardenedByAnOlderOperatorGainsItsSeederWithoutLosingItsRecord() throws Exception {
    Hardening old = copyOnly.harden(WEB, rules("{}"), RevertRecord.EMPTY);
    RevertRecord stored = RevertRecord.parse(old.record().toJson());
    Hardening now = copyOnly.harden(old.template(), rules(SEEDED), stored);
    assertThat(unordered(now.template())).isEqualTo(unordered(copyOnly.harden(WEB, rules(SEEDED),
        RevertRecord.EMPTY).template()));
    assertThat(tree(copyOnly.revert(now.template(), RevertRecord.parse(now.record().toJson())).template()))
        .isEqualTo(tree(WEB));
  }

  @Test
  void diskSeededVolumesAreNotChargedToTheSeedersMemory() {
    Hardening h = copyOnly.harden(WEB, rules("{seedPaths: [/etc/nginx/conf.d], medium: Disk, sizeLimit: 1Gi}"),
        RevertRecord.EMPTY);
    assertThat(h.template().getSpec().getInitContainers().get(0).getResources().getLimits())
        .containsOnly(Map.entry("memory", new Quantity("32Mi")));
    assertThat(h.changeSummary()).contains("seeded from the image (disk): web:/etc/nginx/conf.d");
  }

  /** The template with its volumes and mounts in name order: a change of paths appends, a fresh run sorts. */
  private static com.fasterxml.jackson.databind.JsonNode unordered(PodTemplateSpec t) {
    PodTemplateSpec copy = new PodTemplateSpecBuilder(t).build();
    copy.getSpec().getVolumes().sort(java.util.Comparator.comparing(Volume::getName));
    for (Container c : Volumes.allContainers(copy.getSpec())) {
      c.getVolumeMounts().sort(java.util.Comparator.comparing(m -> m.getMountPath()));
    }
    return tree(copy);
  }

  private static String method(Hardening h) {
    List<String> methods = new ArrayList<>();
    h.record().seeds().forEach(s -> methods.add(s.method()));
    assertThat(methods).hasSize(1);
    return methods.get(0);
  }
}
