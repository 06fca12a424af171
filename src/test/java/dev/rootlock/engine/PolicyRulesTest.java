package dev.rootlock.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.api.ControllerKind;
import dev.rootlock.api.Mode;
import dev.rootlock.api.OnFailure;
import dev.rootlock.api.ReadOnlyPolicySpec;
import dev.rootlock.testing.Manifests;
import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PolicyRulesTest {

  private static PolicyRules.Validation validate(String yaml) {
    return PolicyRules.from(Manifests.parse(yaml, ReadOnlyPolicySpec.class));
  }

  @Test
  void defaultsApplyWhenFieldsAreAbsent() {
    PolicyRules r = validate("{}").rules();
    assertThat(r.paths()).containsExactly(new WritablePath("/tmp", WritablePath.Kind.TMP));
    assertThat(r.sizeLimit().toString()).isEqualTo("64Mi");
    assertThat(r.mode()).isEqualTo(Mode.Enforce);
    assertThat(r.containers()).isNull();
    assertThat(r.initContainers()).isFalse();
    assertThat(r.hardens("anything", false)).isTrue();
    assertThat(r.hardens("init", true)).isFalse();
  }

  @Test
  void kindsDefaultToAllFourAndNameTheFieldOtherwise() {
    assertThat(validate("{}").rules().kinds()).containsExactlyInAnyOrder(ControllerKind.values());
    PolicyRules deployments = validate("{kinds: [Deployment]}").rules();
    assertThat(deployments.kinds()).containsExactly(ControllerKind.Deployment);
    assertThat(deployments.selects(ControllerKind.CronJob)).isFalse();

    assertThat(validate("{kinds: [Deployment, Job, statefulset, Deployment]}").describeErrors())
        .isEqualTo("spec.kinds[1]: \"Job\" is not a kind a policy selects; use one of Deployment, StatefulSet, "
            + "DaemonSet, CronJob; spec.kinds[2]: \"statefulset\" is not a kind a policy selects; use one of "
            + "Deployment, StatefulSet, DaemonSet, CronJob; spec.kinds[3]: Deployment is listed twice");
    assertThat(validate("{kinds: []}").describeErrors()).startsWith("spec.kinds: names no kind");
  }

  @Test
  void rolloutDefaultsAndValues() {
    assertThat(validate("{}").rules().rollout())
        .isEqualTo(new PolicyRules.Rollout(OnFailure.Rollback, false, 5, Duration.ofMinutes(10)));
    assertThat(validate("{rollout: {onFailure: Keep, learn: true, maxInProgress: 2, timeout: 1h30m}}").rules().rollout())
        .isEqualTo(new PolicyRules.Rollout(OnFailure.Keep, true, 2, Duration.ofMinutes(90)));
  }

  @Test
  void learnedPathsAddCachePathsForOneWorkloadOnly() {
    PolicyRules r = validate("{cachePaths: [/var/cache/nginx]}").rules();
    PolicyRules learned = r.withLearnedPaths(java.util.List.of("/var/run/app", "/var/cache/nginx", "/", "relative"));
    assertThat(learned.paths()).extracting(WritablePath::path)
        .as("a path the spec has, and paths no spec could have, add nothing")
        .containsExactly("/tmp", "/var/cache/nginx", "/var/run/app");
    assertThat(r.paths()).hasSize(2);
    assertThat(r.withLearnedPaths(java.util.List.of())).isSameAs(r);
  }

  @Test
  void emptyTmpPathsMeansNone() {
    assertThat(validate("{tmpPaths: []}").rules().paths()).isEmpty();
  }

  @Test
  void pathsAreNormalisedAndSortedParentFirst() {
    PolicyRules r = validate("{tmpPaths: [/var/cache/nginx/, /tmp], cachePaths: [/var/cache]}").rules();
    assertThat(r.paths()).extracting(WritablePath::path).containsExactly("/tmp", "/var/cache", "/var/cache/nginx");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      {tmpPaths: [tmp]}                                  | spec.tmpPaths[0]      | relative
      {tmpPaths: [/tmp, ../etc]}                         | spec.tmpPaths[1]      | relative
      {cachePaths: [/var/../etc]}                        | spec.cachePaths[0]    | ..
      {tmpPaths: [/]}                                    | spec.tmpPaths[0]      | whole root
      {tmpPaths: [//tmp]}                                | spec.tmpPaths[0]      | empty
      {cachePaths: [/proc/self]}                         | spec.cachePaths[0]    | /proc
      {cachePaths: [/sys]}                               | spec.cachePaths[0]    | /sys
      {tmpPaths: [/dev/shm]}                             | spec.tmpPaths[0]      | /dev
      {tmpPaths: [/tmp], cachePaths: [/tmp/]}            | spec.cachePaths[0]    | already declared at spec.tmpPaths[0]
      {tmpPaths: [/a, /a]}                               | spec.tmpPaths[1]      | already declared
      {sizeLimit: 64MB}                                  | spec.sizeLimit        | not a quantity
      {sizeLimit: '0'}                                   | spec.sizeLimit        | greater than zero
      {containers: [App_1]}                              | spec.containers[0]    | not a valid container name
      {containers: [app, app]}                           | spec.containers[1]    | listed twice
      {excludeContainers: [istio-*, Istio_*]}            | spec.excludeContainers[1] | not a container name or glob pattern
      {excludeContainers: ['']}                          | spec.excludeContainers[0] | not a container name or glob pattern
      {excludeImages: ['vendor agent:*']}                | spec.excludeImages[0] | not an image reference or glob pattern
      {memoryShareWarning: 0}                            | spec.memoryShareWarning | between 1 and 100, not 0
      {memoryShareWarning: 101}                          | spec.memoryShareWarning | between 1 and 100, not 101
      {selector: {matchExpressions: [{key: tier, operator: Matches, values: [a]}]}} | spec.selector.matchExpressions[0].operator | not one of
      {selector: {matchExpressions: [{key: tier, operator: In}]}}                   | spec.selector.matchExpressions[0].values   | at least one value
      {selector: {matchExpressions: [{key: tier, operator: Exists, values: [a]}]}}  | spec.selector.matchExpressions[0].values   | takes no values
      {selector: {matchLabels: {'bad key!': x}}}         | spec.selector.matchLabels[bad key!] | not a valid label key
      {selector: {matchLabels: {tier: 'no spaces'}}}     | spec.selector.matchLabels[tier]     | not a valid label value
      {rollout: {timeout: ten minutes}}                  | spec.rollout.timeout  | not a duration
      {rollout: {timeout: 0s}}                           | spec.rollout.timeout  | longer than zero
      {rollout: {maxInProgress: 0}}                      | spec.rollout.maxInProgress | between 1 and 1000
      {rollout: {maxInProgress: 1001}}                   | spec.rollout.maxInProgress | between 1 and 1000
      {seedPaths: [etc/nginx]}                           | spec.seedPaths[0]     | relative
      {seedPaths: [/etc/nginx/../passwd]}                | spec.seedPaths[0]     | ..
      {seedPaths: [/]}                                   | spec.seedPaths[0]     | whole root
      {seedPaths: [/proc/sys]}                           | spec.seedPaths[0]     | /proc
      {seedPaths: [/etc]}                                | spec.seedPaths[0]     | "/etc" is a whole system tree
      {seedPaths: [/usr/]}                               | spec.seedPaths[0]     | "/usr/" is a whole system tree
      {seedPaths: [/lib64]}                              | spec.seedPaths[0]     | whole system tree
      {seedPaths: [/usr/lib]}                            | spec.seedPaths[0]     | whole system tree
      {seedPaths: [/sbin]}                               | spec.seedPaths[0]     | whole system tree
      {seedPaths: [/bin]}                                | spec.seedPaths[0]     | whole system tree
      {seedPaths: [/etc/resolv.conf]}                    | spec.seedPaths[0]     | mounted by the kubelet
      {seedPaths: [/etc/hosts]}                          | spec.seedPaths[0]     | mounted by the kubelet
      {seedPaths: [/var/run/secrets/kubernetes.io]}      | spec.seedPaths[0]     | mounted by the kubelet
      {seedPaths: [/tmp]}                                | spec.seedPaths[0]     | already declared at spec.tmpPaths[0]; a seeded path may not also be a tmp or cache path
      {cachePaths: [/opt/conf], seedPaths: [/opt/conf/]} | spec.seedPaths[0]     | already declared at spec.cachePaths[0]; a seeded path may not also be
      {seedPaths: [/opt/conf, /opt/conf]}                | spec.seedPaths[1]     | already declared at spec.seedPaths[0]
      """)
  void invalidSpecsNameTheField(String yaml, String field, String words) {
    PolicyRules.Validation v = validate(yaml);
    assertThat(v.isValid()).isFalse();
    assertThat(v.errors()).anySatisfy(e -> {
      assertThat(e.field()).isEqualTo(field);
      assertThat(e.message()).contains(words);
    });
  }

  @Test
  void seededPathsAreTheirOwnListAndTheMethodDefaultsToAuto() {
    PolicyRules r = validate("{seedPaths: [/usr/share/nginx/html/, /etc/nginx/conf.d], cachePaths: [/var/cache]}")
        .rules();
    assertThat(r.paths()).as("plain paths only: Compose and probe see no seeded one as a tmpfs")
        .extracting(WritablePath::path).containsExactly("/tmp", "/var/cache");
    assertThat(r.seeding().paths()).containsExactly(new WritablePath("/etc/nginx/conf.d", WritablePath.Kind.SEED),
        new WritablePath("/usr/share/nginx/html", WritablePath.Kind.SEED));
    assertThat(r.seeding().method()).isEqualTo(dev.rootlock.api.SeedMethod.Auto);
    assertThat(r.allPaths()).extracting(WritablePath::path)
        .containsExactly("/etc/nginx/conf.d", "/tmp", "/usr/share/nginx/html", "/var/cache");
    assertThat(validate("{seed: {method: Copy}}").rules().seeding().method()).isEqualTo(dev.rootlock.api.SeedMethod.Copy);
    assertThat(validate("{seedPaths: [/etc/nginx], cachePaths: [/etc/nginx/conf.d]}").isValid())
        .as("nested paths in different lists are fine: the parent's emptyDir covers the child").isTrue();
  }

  @Test
  void learnedSeededPathsAddToTheSeededOnesForOneWorkloadOnly() {
    PolicyRules r = validate("{cachePaths: [/var/cache/nginx], seedPaths: [/etc/nginx/conf.d]}").rules();
    java.util.List<String> seeded = java.util.List.of("/usr/share/jenkins/ref", "/etc/nginx/conf.d",
        "/var/cache/nginx", "/usr", "/etc/hosts", "relative");
    PolicyRules learned = r.withLearnedPaths(seeded, seeded);
    assertThat(learned.seeding().paths()).extracting(WritablePath::path)
        .as("one the spec has in any list, and ones no spec could seed, add nothing")
        .containsExactly("/etc/nginx/conf.d", "/usr/share/jenkins/ref");
    assertThat(learned.paths()).isEqualTo(r.paths());
    assertThat(r.withLearnedPaths(java.util.List.of("/etc/nginx/conf.d"), java.util.List.of("/etc/nginx/conf.d")))
        .isSameAs(r);
    PolicyRules both = r.withLearnedPaths(java.util.List.of("/var/run/app", "/srv/app/conf"),
        java.util.List.of("/srv/app/conf"));
    assertThat(both.paths()).extracting(WritablePath::path).containsExactly("/tmp", "/var/cache/nginx", "/var/run/app");
    assertThat(both.seeding().paths()).extracting(WritablePath::path)
        .containsExactly("/etc/nginx/conf.d", "/srv/app/conf");
    assertThat(r.withLearnedPaths(java.util.List.of("/etc/nginx/conf.d")))
        .as("a plain learned path never doubles a seeded one").isSameAs(r);
  }

  @Test
  void seededPathsCountTowardsTheLimitOf32() {
    String many = IntStream.range(0, 31).mapToObj(i -> "/c" + i).collect(Collectors.joining(", "));
    assertThat(validate("{seedPaths: [" + many + "]}").isValid()).isTrue();
    assertThat(validate("{seedPaths: [" + many + "], cachePaths: [/x]}").errors())
        .anySatisfy(e -> assertThat(e.message()).isEqualTo("tmpPaths, cachePaths and seedPaths together name 33 "
            + "paths; at most 32 are allowed"));
  }

  @Test
  void moreThan32PathsAreRejected() {
    String many = IntStream.range(0, 31).mapToObj(i -> "/c" + i).collect(Collectors.joining(", "));
    assertThat(validate("{cachePaths: [" + many + "]}").isValid()).isTrue(); // 31 + default /tmp
    assertThat(validate("{cachePaths: [" + many + ", /c31]}").errors())
        .anySatisfy(e -> assertThat(e.message()).contains("at most 32"));
  }

  @Test
  void nullSelectorPartsAreRejectedNotThrown() {
    assertThat(validate("{selector: {matchLabels: {tier: null}}}").errors())
        .anySatisfy(e -> assertThat(e.field()).isEqualTo("spec.selector.matchLabels[tier]"));
    assertThat(validate("{selector: {matchExpressions: [null]}}").errors())
        .anySatisfy(e -> assertThat(e.field()).isEqualTo("spec.selector.matchExpressions[0]"));
    assertThat(validate("{selector: {matchExpressions: [{key: a}]}}").errors())
        .anySatisfy(e -> assertThat(e.field()).isEqualTo("spec.selector.matchExpressions[0].operator"));
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    PolicyRules.Validation v = validate("{tmpPaths: [tmp, /proc], sizeLimit: x}");
    assertThat(v.errors()).hasSize(3);
    assertThat(v.describeErrors()).contains("spec.tmpPaths[0]", "spec.tmpPaths[1]", "spec.sizeLimit");
  }
}
