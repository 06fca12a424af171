package dev.rootlock.engine;

import static dev.rootlock.testing.Manifests.rules;
import dev.rootlock.testing.EngineInvariants;
import static dev.rootlock.testing.Manifests.template;
import static dev.rootlock.testing.Manifests.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HardenerTest {
  private final Hardener hardener = new Hardener();

  /** Hard templates; every one must satisfy every invariant below. */
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("single container, nothing set", """
            spec:
              containers:
              - {name: app, image: nginx}
            """, "{}", 1),
        Arguments.of("sidecar and init container, init not asked for", """
            spec:
              initContainers:
              - {name: migrate, image: flyway}
              containers:
              - {name: app, image: app}
              - {name: envoy, image: envoy, securityContext: {runAsUser: 101}}
            """, "{cachePaths: [/var/cache]}", 2),
        Arguments.of("init containers hardened on request", """
            spec:
              initContainers:
              - {name: migrate, image: flyway}
              containers:
              - {name: app, image: app}
            """, "{initContainers: true}", 2),
        Arguments.of("existing emptyDir at /tmp is left alone", """
            spec:
              containers:
              - name: app
                image: app
                volumeMounts: [{name: scratch, mountPath: /tmp}]
              volumes:
              - {name: scratch, emptyDir: {}}
            """, "{cachePaths: [/var/cache/app]}", 1),
        Arguments.of("configMap mounted at a parent path covers the declared path", """
            spec:
              containers:
              - name: app
                image: app
                volumeMounts: [{name: conf, mountPath: /etc/app, readOnly: true}]
              volumes:
              - {name: conf, configMap: {name: app}}
            """, "{tmpPaths: [/etc/app/run], cachePaths: [/var/cache]}", 1),
        Arguments.of("volume name collision with an existing volume", """
            spec:
              containers:
              - name: app
                image: app
                volumeMounts: [{name: rl-app-tmp-cdbfbd, mountPath: /data}]
              volumes:
              - {name: rl-app-tmp-cdbfbd, persistentVolumeClaim: {claimName: data}}
            """, "{}", 1),
        Arguments.of("pod-level securityContext, container-level absent", """
            spec:
              securityContext: {runAsNonRoot: true, fsGroup: 2000}
              containers:
              - {name: app, image: app}
            """, "{}", 1),
        Arguments.of("explicit readOnlyRootFilesystem false", """
            spec:
              containers:
              - name: app
                image: app
                securityContext: {readOnlyRootFilesystem: false, allowPrivilegeEscalation: false}
            """, "{}", 1),
        Arguments.of("already read-only, only the path missing", """
            spec:
              containers:
              - name: app
                image: app
                securityContext: {readOnlyRootFilesystem: true}
            """, "{}", 1),
        Arguments.of("only named containers", """
            spec:
              containers:
              - {name: app, image: app}
              - {name: istio-proxy, image: proxyv2}
            """, "{containers: [app]}", 1),
        Arguments.of("nested declared paths: the parent's emptyDir covers the child", """
            spec:
              containers:
              - {name: app, image: nginx}
            """, "{tmpPaths: [/var/cache/nginx/client_temp], cachePaths: [/var/cache/nginx, /var/run]}", 1),
        Arguments.of("trailing slashes and subPath mounts", """
            spec:
              containers:
              - name: app
                image: app
                volumeMounts: [{name: cfg, mountPath: /var/run/, subPath: run}]
              volumes:
              - {name: cfg, emptyDir: {medium: Memory}}
            """, "{tmpPaths: [/tmp/], cachePaths: [/var/run/app]}", 1),
        Arguments.of("twenty-two containers", manyContainers(22), "{cachePaths: [/var/cache, /run]}", 22),
        Arguments.of("seeded path, copied inside the app's own image", """
            spec:
              containers:
              - {name: web, image: "nginx:1.27"}
            """, "{seedPaths: [/etc/nginx/conf.d], seed: {method: Copy}}", 1),
        Arguments.of("seeded paths from an image volume, an init container of the team's, init containers hardened", """
            spec:
              securityContext: {runAsUser: 101, fsGroup: 101}
              initContainers:
              - {name: migrate, image: "flyway:10"}
              containers:
              - {name: web, image: "nginx:1.27", securityContext: {runAsNonRoot: true}}
              - {name: proxy, image: "envoy:1.30", securityContext: {privileged: true}}
            """, "{initContainers: true, seedPaths: [/etc/nginx/conf.d, /usr/share/nginx/html], "
                + "seed: {method: ImageVolume}, cachePaths: [/var/cache/nginx]}", 3),
        Arguments.of("seeded path with a tmp path below it and one covered by a configMap", """
            spec:
              containers:
              - name: app
                image: app
                volumeMounts: [{name: conf, mountPath: /etc/app, readOnly: true}]
              volumes:
              - {name: conf, configMap: {name: app}}
            """, "{seedPaths: [/etc/app/conf.d, /opt/app/plugins], tmpPaths: [/opt/app/plugins/tmp], medium: Disk}", 1),
        Arguments.of("seeded path in a container named at the length limit, with a seeder's name taken", """
            spec:
              initContainers:
              - {name: rootlock-seed-app, image: x}
              containers:
              - {name: app, image: x}
              - {name: %s, image: "registry.example:5000/team/app@sha256:abc"}
            """.formatted("c-" + "x".repeat(61)), "{seedPaths: [/var/www/html]}", 2));
  }

  private static String manyContainers(int n) {
    return "spec:\n  containers:\n" + IntStream.range(0, n)
        .mapToObj(i -> "  - {name: c" + i + "-" + "x".repeat(40) + ", image: busybox}\n")
        .collect(Collectors.joining());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void hardenedTemplateIsCompliantAndNothingElseChanges(String name, String yaml, String spec, int hardened) {
    PodTemplateSpec original = template(yaml);
    PolicyRules rules = rules(spec);
    Hardening h = hardener.harden(original, rules, RevertRecord.EMPTY);

    assertThat(h.changed()).isTrue();
    assertCompliant(h.template(), rules, hardened);
    assertThat(stripRootlockChanges(h.template(), h.record())).isEqualTo(tree(original));
    assertThat(tree(original)).as("input untouched").isEqualTo(tree(template(yaml)));
    assertVolumeNamesValid(h.template());
    EngineInvariants.assertSeeded(h.template(), h.record());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void applyingTwiceEqualsApplyingOnce(String name, String yaml, String spec, int hardened) {
    PolicyRules rules = rules(spec);
    Hardening once = hardener.harden(template(yaml), rules, RevertRecord.EMPTY);
    Hardening twice = hardener.harden(once.template(), rules, once.record());

    assertThat(twice.changed()).isFalse();
    assertThat(tree(twice.template())).isEqualTo(tree(once.template()));
    assertThat(twice.record()).isEqualTo(once.record());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void revertOfApplyIsTheOriginal(String name, String yaml, String spec, int hardened) {
    PodTemplateSpec original = template(yaml);
    Hardening h = hardener.harden(original, rules(spec), RevertRecord.EMPTY);
    RevertRecord roundTripped = assertDoesNotThrowParse(h.record().toJson());

    Hardening reverted = hardener.revert(h.template(), roundTripped);

    assertThat(tree(reverted.template())).isEqualTo(tree(original));
    assertThat(reverted.record().isEmpty()).isTrue();
  }

  @Test
  void existingTmpMountIsReportedAndNotDuplicated() {
    Hardening h = hardener.harden(template("""
        spec:
          containers:
          - name: app
            image: app
            volumeMounts: [{name: scratch, mountPath: /tmp}]
          volumes: [{name: scratch, emptyDir: {}}]
        """), rules("{}"), RevertRecord.EMPTY);

    assertThat(h.template().getSpec().getVolumes()).hasSize(1);
    assertThat(h.findings(Finding.Kind.PATH_ALREADY_MOUNTED)).singleElement()
        .satisfies(f -> assertThat(f.describe()).contains("/tmp").contains("scratch"));
    assertThat(h.record().injections()).isEmpty();
  }

  @Test
  void everyContainerGetsItsOwnVolumes() {
    Hardening h = hardener.harden(template("""
        spec:
          containers:
          - {name: a, image: x}
          - {name: b, image: x}
        """), rules("{cachePaths: [/var/cache]}"), RevertRecord.EMPTY);

    assertThat(h.template().getSpec().getVolumes()).hasSize(4);
    Set<String> a = mountedVolumes(h.template().getSpec().getContainers().get(0));
    Set<String> b = mountedVolumes(h.template().getSpec().getContainers().get(1));
    assertThat(a).hasSize(2).doesNotContainAnyElementsOf(b);
  }

  @Test
  void volumesAreMemoryBackedWithThePolicySizeLimit() {
    Hardening h = hardener.harden(template("spec: {containers: [{name: app, image: x}]}"),
        rules("{sizeLimit: 128Mi}"), RevertRecord.EMPTY);

    Volume v = h.template().getSpec().getVolumes().get(0);
    assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory");
    assertThat(v.getEmptyDir().getSizeLimit().toString()).isEqualTo("128Mi");
  }

  @Test
  void sizeLimitChangeUpdatesTheInjectedVolume() {
    PodTemplateSpec t = template("spec: {containers: [{name: app, image: x}]}");
    Hardening first = hardener.harden(t, rules("{}"), RevertRecord.EMPTY);
    Hardening second = hardener.harden(first.template(), rules("{sizeLimit: 1Gi}"), first.record());

    assertThat(second.changed()).isTrue();
    assertThat(second.template().getSpec().getVolumes()).singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir().getSizeLimit().toString()).isEqualTo("1Gi"));
    assertThat(second.record().injections()).singleElement().satisfies(i -> {
      assertThat(i.volume()).isEqualTo(first.record().injections().get(0).volume());
      assertThat(i.sizeLimit()).isEqualTo("1Gi");
    });
    assertThat(tree(hardener.revert(second.template(), second.record()).template())).isEqualTo(tree(t));
  }

  @Test
  void undoLeavesAMountOrVolumeSomeoneChangedSince() {
    PodTemplateSpec t = template("spec: {containers: [{name: app, image: x}]}");
    Hardening h = hardener.harden(t, rules("{cachePaths: [/var/cache]}"), RevertRecord.EMPTY);
    PodTemplateSpec edited = new PodTemplateSpecBuilder(h.template()).build();
    var app = edited.getSpec().getContainers().get(0);
    app.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst().orElseThrow()
        .setReadOnly(true);
    String cacheVolume = app.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/var/cache"))
        .findFirst().orElseThrow().getName();
    edited.getSpec().getVolumes().stream().filter(v -> v.getName().equals(cacheVolume)).findFirst().orElseThrow()
        .getEmptyDir().setSizeLimit(new io.fabric8.kubernetes.api.model.Quantity("2Gi"));

    Hardening reverted = hardener.revert(edited, h.record());

    var after = reverted.template().getSpec();
    assertThat(after.getContainers().get(0).getVolumeMounts()).extracting(VolumeMount::getMountPath).containsExactly("/tmp");
    assertThat(after.getVolumes()).extracting(Volume::getName).contains(cacheVolume).hasSize(2);
    assertThat(reverted.findings(Finding.Kind.CHANGED_BY_OTHERS)).hasSize(2);
    assertThat(after.getContainers().get(0).getSecurityContext()).isNull();
  }

  @Test
  void malformedTemplatesDoNotThrow() {
    PodTemplateSpec t = template("""
        spec:
          containers:
          - {image: no-name}
          - name: app
            image: x
            volumeMounts: [{mountPath: /tmp}, {name: v}]
          volumes: [{emptyDir: {}}]
        """);
    Hardening h = hardener.harden(t, rules("{}"), RevertRecord.EMPTY);

    assertThat(h.template().getSpec().getContainers().get(0).getSecurityContext()).isNull();
    assertThat(h.template().getSpec().getContainers().get(1).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(h.findings(Finding.Kind.PATH_ALREADY_MOUNTED)).singleElement();
    assertThat(tree(hardener.revert(h.template(), h.record()).template())).isEqualTo(tree(t));
  }

  @Test
  void namingAnInitContainerWithoutInitContainersSaysSo() {
    Hardening h = hardener.harden(template("""
        spec:
          initContainers: [{name: migrate, image: x}]
          containers: [{name: app, image: x}]
        """), rules("{containers: [app, migrate]}"), RevertRecord.EMPTY);

    assertThat(h.findings(Finding.Kind.INIT_CONTAINER_SKIPPED)).singleElement()
        .satisfies(f -> assertThat(f.describe()).contains("migrate").contains("initContainers: true"));
    assertThat(h.notes()).contains("migrate");
  }

  @Test
  void removingAPathFromThePolicyUndoesOnlyThatPath() {
    PodTemplateSpec t = template("spec: {containers: [{name: app, image: x}]}");
    Hardening both = hardener.harden(t, rules("{cachePaths: [/var/cache]}"), RevertRecord.EMPTY);
    Hardening tmpOnly = hardener.harden(both.template(), rules("{}"), both.record());
    Hardening direct = hardener.harden(t, rules("{}"), RevertRecord.EMPTY);

    assertThat(tree(tmpOnly.template())).isEqualTo(tree(direct.template()));
    assertThat(tmpOnly.record()).isEqualTo(direct.record());
  }

  @Test
  void containerDroppedFromTheListIsRestored() {
    PodTemplateSpec t = template("""
        spec:
          containers:
          - {name: app, image: x}
          - {name: proxy, image: y, securityContext: {readOnlyRootFilesystem: false}}
        """);
    Hardening all = hardener.harden(t, rules("{}"), RevertRecord.EMPTY);
    Hardening appOnly = hardener.harden(all.template(), rules("{containers: [app]}"), all.record());

    Container proxy = appOnly.template().getSpec().getContainers().get(1);
    assertThat(proxy.getSecurityContext().getReadOnlyRootFilesystem()).isFalse();
    assertThat(proxy.getVolumeMounts()).isEmpty();
    assertThat(appOnly.record().containers()).containsOnlyKeys("app");
  }

  @Test
  void driftIsCorrectedButTheRecordKeepsTheFirstOriginal() {
    PodTemplateSpec t = template("spec: {containers: [{name: app, image: x}]}");
    Hardening h = hardener.harden(t, rules("{}"), RevertRecord.EMPTY);
    PodTemplateSpec drifted = new PodTemplateSpecBuilder(h.template()).build();
    drifted.getSpec().getContainers().get(0).getSecurityContext().setReadOnlyRootFilesystem(false);
    drifted.getSpec().getContainers().get(0).setVolumeMounts(new ArrayList<>());

    Hardening fixed = hardener.harden(drifted, rules("{}"), h.record());

    assertThat(fixed.changed()).isTrue();
    assertThat(tree(fixed.template())).isEqualTo(tree(h.template()));
    assertThat(fixed.record()).isEqualTo(h.record());
    assertThat(tree(hardener.revert(fixed.template(), fixed.record()).template())).isEqualTo(tree(t));
  }

  @Test
  void revertLeavesValuesOthersChangedSince() {
    PodTemplateSpec t = template("spec: {containers: [{name: app, image: x}]}");
    Hardening h = hardener.harden(t, rules("{}"), RevertRecord.EMPTY);
    PodTemplateSpec edited = new PodTemplateSpecBuilder(h.template()).build();
    edited.getSpec().getContainers().get(0).getSecurityContext().setReadOnlyRootFilesystem(false);

    Hardening reverted = hardener.revert(edited, h.record());

    Container app = reverted.template().getSpec().getContainers().get(0);
    assertThat(app.getSecurityContext().getReadOnlyRootFilesystem()).isFalse();
    assertThat(app.getVolumeMounts()).isEmpty();
    assertThat(reverted.template().getSpec().getVolumes()).isEmpty();
    assertThat(reverted.findings(Finding.Kind.CHANGED_BY_OTHERS)).hasSize(1);
  }

  @Test
  void crashLogsReachThePodStatusAndTheOriginalMessagePolicyComesBack() {
    PodTemplateSpec t = template("""
        spec: {containers: [{name: unset, image: x}, {name: file, image: x, terminationMessagePolicy: File},
          {name: own, image: x, terminationMessagePolicy: FallbackToLogsOnError}]}""");
    Hardening h = hardener.harden(t, rules("{}"), RevertRecord.EMPTY);

    assertThat(h.template().getSpec().getContainers()).extracting(Container::getTerminationMessagePolicy)
        .containsExactly("FallbackToLogsOnError", "FallbackToLogsOnError", "FallbackToLogsOnError");
    assertThat(h.record().messagePolicies()).as("File is the API server's default: Rootlock switches it, and "
        + "records it; a container's own FallbackToLogsOnError is not Rootlock's")
        .containsOnly(Map.entry("unset", new RevertRecord.OriginalMessagePolicy(null)),
            Map.entry("file", new RevertRecord.OriginalMessagePolicy("File")));
    assertThat(h.changeSummary()).contains("terminationMessagePolicy FallbackToLogsOnError: file, unset");
    assertThat(tree(hardener.revert(h.template(), h.record()).template())).isEqualTo(tree(t));
    RevertRecord parsed = assertDoesNotThrowParse(h.record().toJson());
    assertThat(parsed).isEqualTo(h.record());

    // Someone sets File back by hand: not worth a rollout on its own, so left until hardening
    // needs a write anyway; the record keeps the first original for that day.
    PodTemplateSpec drifted = new PodTemplateSpecBuilder(h.template()).build();
    drifted.getSpec().getContainers().get(0).setTerminationMessagePolicy("File");
    Hardening left = hardener.harden(drifted, rules("{}"), h.record());
    assertThat(left.changed()).isFalse();
    assertThat(left.record()).isEqualTo(h.record());
    drifted.getSpec().getContainers().get(0).getSecurityContext().setReadOnlyRootFilesystem(false);
    Hardening fixed = hardener.harden(drifted, rules("{}"), h.record());
    assertThat(tree(fixed.template())).isEqualTo(tree(h.template()));
    assertThat(fixed.record()).isEqualTo(h.record());
  }

  @Test
  void anAlreadyReadOnlyTemplateIsNotWrittenJustForCrashLogs() {
    PodTemplateSpec t = template("""
        spec:
          containers: [{name: app, image: x, securityContext: {readOnlyRootFilesystem: true},
            volumeMounts: [{name: scratch, mountPath: /tmp}]}]
          volumes: [{name: scratch, emptyDir: {medium: Memory, sizeLimit: 64Mi}}]""");
    Hardening h = hardener.harden(t, rules("{}"), RevertRecord.EMPTY);
    assertThat(h.changed()).as("read-only with every path writable: nothing hardening needs").isFalse();
    assertThat(h.template()).isSameAs(t);
    assertThat(h.record().isEmpty()).isTrue();

    // with a path to add, the write happens anyway and the crash-log policy rides along
    Hardening more = hardener.harden(t, rules("{cachePaths: [/var/cache/app]}"), RevertRecord.EMPTY);
    assertThat(more.template().getSpec().getContainers().get(0).getTerminationMessagePolicy())
        .isEqualTo("FallbackToLogsOnError");
  }

  @Test
  void aRecordNamingAMessagePolicyRootlockNeverReplacesIsNotTrusted() {
    assertThatThrownBy(() -> RevertRecord.parse("{\"v\":1,\"messagePolicies\":{\"app\":{\"value\":\"Other\"}}}"))
        .isInstanceOf(RevertRecord.InvalidRevertRecordException.class).hasMessageContaining("messagePolicies");
  }

  @Test
  void missingNamedContainerIsAFindingNotAnError() {
    Hardening h = hardener.harden(template("spec: {containers: [{name: web, image: x}]}"),
        rules("{containers: [app]}"), RevertRecord.EMPTY);

    assertThat(h.changed()).isFalse();
    assertThat(h.findings(Finding.Kind.CONTAINER_NOT_FOUND)).singleElement()
        .satisfies(f -> assertThat(f.container()).isEqualTo("app"));
  }

  @Test
  void emptyOrNullContainerListsDoNothing() {
    assertThat(hardener.harden(template("spec: {containers: []}"), rules("{}"), RevertRecord.EMPTY).changed()).isFalse();
    assertThat(hardener.harden(template("metadata: {labels: {a: b}}"), rules("{}"), RevertRecord.EMPTY).changed()).isFalse();
  }

  @Test
  void aNameAlreadyTakenGetsAnotherStableOne() {
    String natural = VolumeNames.forInjection("app", "/tmp", java.util.Set.of());
    Hardening h = hardener.harden(template("""
        spec:
          containers:
          - name: app
            image: app
            volumeMounts: [{name: %s, mountPath: /data}]
          volumes: [{name: %s, persistentVolumeClaim: {claimName: data}}]
        """.formatted(natural, natural)), rules("{}"), RevertRecord.EMPTY);

    String injected = h.record().injections().get(0).volume();
    assertThat(injected).isNotEqualTo(natural).startsWith("rl-app-tmp-")
        .isEqualTo(VolumeNames.forInjection("app", "/tmp", java.util.Set.of(natural)));
    assertThat(h.template().getSpec().getVolumes()).extracting(Volume::getName).containsExactly(natural, injected);
  }

  @Test
  void injectedNamesAreStableAcrossRuns() {
    PodTemplateSpec t = template("spec: {containers: [{name: app, image: x}]}");
    String a = hardener.harden(t, rules("{}"), RevertRecord.EMPTY).record().injections().get(0).volume();
    String b = hardener.harden(t, rules("{}"), RevertRecord.EMPTY).record().injections().get(0).volume();
    assertThat(a).isEqualTo(b).startsWith("rl-app-tmp-");
  }

  // --- invariants ---------------------------------------------------------------------

  private static void assertCompliant(PodTemplateSpec t, PolicyRules rules, int expectedHardened) {
    assertThat(EngineInvariants.assertCompliant(t, rules)).hasSize(expectedHardened);
  }

  private static JsonNode stripRootlockChanges(PodTemplateSpec hardened, RevertRecord record) {
    return EngineInvariants.withoutRootlockChanges(hardened, record);
  }

  private static void assertVolumeNamesValid(PodTemplateSpec t) {
    EngineInvariants.assertVolumeNamesValid(t);
  }

  private static Set<String> mountedVolumes(Container c) {
    return c.getVolumeMounts().stream().map(VolumeMount::getName).collect(Collectors.toSet());
  }

  private static RevertRecord assertDoesNotThrowParse(String json) {
    try {
      return RevertRecord.parse(json);
    } catch (RevertRecord.InvalidRevertRecordException e) {
      throw new AssertionError("record does not round-trip: " + json, e);
    }
  }
}
