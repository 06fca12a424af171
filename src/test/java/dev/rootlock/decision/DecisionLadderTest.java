package dev.rootlock.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.ControllerKind;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.decision.Decision.Undo;
import dev.rootlock.testing.Fixtures;
import dev.rootlock.testing.Manifests;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The decision ladder as a table: no API server, no client, a row per rung. */
class DecisionLadderTest {
  static final String WEB = "{selector: {matchLabels: {tier: web}}}";
  static final PodTemplateSpec LINUX = Manifests.template("{spec: {containers: [{name: app, image: nginx}]}}");
  static final PodTemplateSpec WINDOWS =
      Manifests.template("{spec: {os: {name: windows}, containers: [{name: app, image: iis}]}}");

  /**
   * @param me the policy deciding, the first of {@code set}
   * @param existsElsewhere what the path knows of a recorded owner the set does not hold
   */
  record Row(String why, Subject w, List<ReadOnlyPolicy> set, Predicate<String> existsElsewhere, Decision expected) {
    ReadOnlyPolicy me() {
      return set.get(0);
    }

    @Override
    public String toString() {
      return why;
    }
  }

  static ReadOnlyPolicy policy(String name, String spec, String created) {
    ReadOnlyPolicy p = Fixtures.policy(name, spec);
    p.getMetadata().setCreationTimestamp(created);
    return p;
  }

  static ReadOnlyPolicy web() {
    return policy("web", WEB, "2026-01-01T00:00:00Z");
  }

  static ReadOnlyPolicy older() {
    return policy("older", WEB, "2025-01-01T00:00:00Z");
  }

  static ReadOnlyPolicy deleting(ReadOnlyPolicy p) {
    p.getMetadata().setDeletionTimestamp("2026-06-01T00:00:00Z");
    return p;
  }

  /** A Deployment-like subject labelled tier=web, with these extra labels and annotations ("k=v"). */
  static Subject deployment(PodTemplateSpec template, String... keys) {
    return subject(ControllerKind.Deployment, true, template, keys);
  }

  static Subject subject(ControllerKind kind, boolean writable, PodTemplateSpec template, String... keys) {
    Map<String, String> labels = new HashMap<>(Map.of("tier", "web"));
    Map<String, String> annotations = new HashMap<>();
    for (String k : keys) {
      String[] kv = k.substring(1).split("=", 2);
      (k.startsWith("l") ? labels : annotations).put(kv[0], kv[1]);
    }
    return new Subject(labels, annotations, template, kind, writable);
  }

  static final String OWNED_BY_WEB = "a" + Annotations.OWNER + "=web";
  static final String EXCLUDE_ANNOTATION = "a" + Annotations.EXCLUDE + "=true";
  static final String EXCLUDE_LABEL = "l" + Annotations.EXCLUDE + "=true";

  static Row row(String why, Subject w, Decision expected, ReadOnlyPolicy... set) {
    return new Row(why, w, Arrays.asList(set), name -> false, expected);
  }

  static Stream<Row> rows() {
    Subject plain = deployment(LINUX);
    Subject unlabelled = new Subject(Map.of("tier", "db"), Map.of(Annotations.OWNER, "web"), LINUX,
        ControllerKind.Deployment, true);
    return Stream.of(
        // selection
        row("labels the selector does not match", new Subject(Map.of("tier", "db"), Map.of(), LINUX,
            ControllerKind.Deployment, true), new Decision.NotSelected(), web()),
        row("a kind spec.kinds leaves out", subject(ControllerKind.StatefulSet, true, LINUX),
            new Decision.NotSelected(), policy("web", "{selector: {matchLabels: {tier: web}}, kinds: [Deployment]}",
                null)),
        row("no longer selected, and hardened by this policy", unlabelled,
            new Decision.Release("no longer selected by policy web"), web()),
        row("no longer selected, in Audit mode: nothing written", unlabelled, new Decision.NotSelected(),
            policy("web", "{selector: {matchLabels: {tier: web}}, mode: Audit}", null)),
        // exclusion, the same rules everywhere
        row("annotated rootlock.dev/exclude=true", deployment(LINUX, EXCLUDE_ANNOTATION),
            new Decision.Excluded("annotated rootlock.dev/exclude=true", Undo.NOTHING), web()),
        row("labelled rootlock.dev/exclude=true", deployment(LINUX, EXCLUDE_LABEL),
            new Decision.Excluded("labelled rootlock.dev/exclude=true", Undo.NOTHING), web()),
        row("the value is not case-sensitive", deployment(LINUX, "l" + Annotations.EXCLUDE + "=True"),
            new Decision.Excluded("labelled rootlock.dev/exclude=true", Undo.NOTHING), web()),
        row("any other value keeps it in", deployment(LINUX, "l" + Annotations.EXCLUDE + "=no"),
            new Decision.Harden(), web()),
        row("Windows", deployment(WINDOWS), new Decision.Excluded("runs on Windows (spec.os.name: windows), where "
            + "containers cannot have a read-only root filesystem", Undo.NOTHING), web()),
        row("excluded, hardened by this policy: reverted", deployment(LINUX, EXCLUDE_LABEL, OWNED_BY_WEB),
            new Decision.Excluded("labelled rootlock.dev/exclude=true", Undo.REVERT), web()),
        row("excluded, hardened by this policy in Audit mode: would be reverted",
            deployment(LINUX, EXCLUDE_ANNOTATION, OWNED_BY_WEB),
            new Decision.Excluded("annotated rootlock.dev/exclude=true", Undo.WOULD_REVERT),
            policy("web", "{selector: {matchLabels: {tier: web}}, mode: Audit}", null)),
        row("excluded, hardened by another live policy: its business",
            deployment(LINUX, EXCLUDE_LABEL, "a" + Annotations.OWNER + "=older"),
            new Decision.Excluded("labelled rootlock.dev/exclude=true", Undo.NOTHING), web(), older()),
        row("excluded, hardened by a policy gone for good: the orphan is reverted",
            deployment(LINUX, EXCLUDE_LABEL, "a" + Annotations.OWNER + "=gone"),
            new Decision.Excluded("labelled rootlock.dev/exclude=true", Undo.REVERT), web()),
        new Row("excluded, hardened by a policy the cache does not know yet but that exists",
            deployment(LINUX, EXCLUDE_LABEL, "a" + Annotations.OWNER + "=new"), List.of(web()), name -> true,
            new Decision.Excluded("labelled rootlock.dev/exclude=true", Undo.NOTHING)),
        row("excluded, a kind only reported: nothing to revert",
            subject(ControllerKind.CronJob, false, LINUX, EXCLUDE_LABEL, OWNED_BY_WEB),
            new Decision.Excluded("labelled rootlock.dev/exclude=true", Undo.NOTHING), web()),
        // what the path may write
        row("a kind the path only reports (a running Job)", subject(ControllerKind.CronJob, false, LINUX),
            new Decision.ReportOnly(), web()),
        row("Audit", plain, new Decision.Audit(false),
            policy("web", "{selector: {matchLabels: {tier: web}}, mode: Audit}", null)),
        row("Audit, with its own revert record", deployment(LINUX, OWNED_BY_WEB), new Decision.Audit(true),
            policy("web", "{selector: {matchLabels: {tier: web}}, mode: Audit}", null)),
        // ownership
        row("the only enforcing policy", plain, new Decision.Harden(), web()),
        row("an Audit policy never claims", plain, new Decision.Harden(), web(),
            policy("audit", "{selector: {matchLabels: {tier: web}}, mode: Audit}", "2020-01-01T00:00:00Z")),
        row("an older policy owns what nobody recorded", plain, new Decision.Conflict("older", Fixtures.NS, false),
            web(), older()),
        row("the older one hardens it", plain, new Decision.Harden(), older(), web()),
        row("the recorded owner keeps it while it selects it", deployment(LINUX, OWNED_BY_WEB),
            new Decision.Harden(), web(), older()),
        row("... and the older one reports Conflict", deployment(LINUX, OWNED_BY_WEB),
            new Decision.Conflict("web", Fixtures.NS, false), older(), web()),
        row("a recorded owner that no longer selects it loses it",
            deployment(LINUX, "a" + Annotations.OWNER + "=narrow"), new Decision.Harden(), web(),
            policy("narrow", "{selector: {matchLabels: {tier: db}}}", "2027-01-01T00:00:00Z")),
        row("an invalid recorded owner keeps it", deployment(LINUX, "a" + Annotations.OWNER + "=broken"),
            new Decision.Conflict("broken", Fixtures.NS, true), web(),
            policy("broken", "{selector: {matchLabels: {tier: web}}, tmpPaths: [relative]}", null)),
        row("a recorded owner being deleted keeps it", deployment(LINUX, "a" + Annotations.OWNER + "=older"),
            new Decision.Conflict("older", Fixtures.NS, true), web(), deleting(older())),
        new Row("a recorded owner newer than the cache keeps it", deployment(LINUX, "a" + Annotations.OWNER + "=new"),
            List.of(web()), name -> true, new Decision.Conflict("new", Fixtures.NS, false)),
        row("an orphan of a policy gone for good is adopted", deployment(LINUX, "a" + Annotations.OWNER + "=gone"),
            new Decision.Harden(), web()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void decides(Row row) {
    PolicySet set = PolicySet.of(row.set(), row.existsElsewhere());
    assertThat(DecisionLadder.decide(row.w(), row.me(), set)).isEqualTo(row.expected());
  }

  @Test
  void aDeletedPolicyReleasesWhatItHardenedInAnyModeAndNothingElse() {
    ReadOnlyPolicy web = deleting(policy("web", "{mode: Audit}", null));
    assertThat(DecisionLadder.whenDeleted(deployment(LINUX, OWNED_BY_WEB), web))
        .isEqualTo(new Decision.Release("policy web deleted"));
    assertThat(DecisionLadder.whenDeleted(deployment(LINUX, "a" + Annotations.OWNER + "=older"), web))
        .isEqualTo(new Decision.NotSelected());
    assertThat(DecisionLadder.whenDeleted(subject(ControllerKind.CronJob, false, LINUX, OWNED_BY_WEB), web))
        .as("a kind the path never writes has nothing to undo").isEqualTo(new Decision.NotSelected());
  }

  @Test
  void theEnginesAnswerEndsTheLadder() {
    List<String> risk = List.of("tmpfs may use up to 64Mi and app has no memory limit");
    EngineAnswer change = new EngineAnswer(true, false, List.of());
    EngineAnswer none = new EngineAnswer(false, false, risk);
    Decision harden = new Decision.Harden();
    Decision audit = new Decision.Audit(true);
    Decision reported = new Decision.ReportOnly();

    assertThat(DecisionLadder.answer(harden, change)).isEqualTo(new Decision.Change());
    assertThat(DecisionLadder.answer(harden, none)).as("warnings alone change nothing")
        .isEqualTo(new Decision.Compliant());
    assertThat(DecisionLadder.answer(audit, change)).isEqualTo(new Decision.WouldChange(false));
    assertThat(DecisionLadder.answer(reported, change)).isEqualTo(new Decision.WouldChange(true));
    assertThat(DecisionLadder.answer(audit, none)).isEqualTo(new Decision.Compliant());

    // onMemoryRisk: Skip is never compliant, on any rung that asks the engine
    assertThat(DecisionLadder.answer(harden, new EngineAnswer(false, true, risk)))
        .isEqualTo(new Decision.SkippedForMemoryRisk(risk, false));
    assertThat(DecisionLadder.answer(harden, new EngineAnswer(true, true, risk)))
        .as("an earlier hardening is undone").isEqualTo(new Decision.SkippedForMemoryRisk(risk, true));
    assertThat(DecisionLadder.answer(audit, new EngineAnswer(true, true, risk)))
        .as("Audit undoes nothing").isEqualTo(new Decision.SkippedForMemoryRisk(risk, false));
    assertThat(DecisionLadder.answer(reported, new EngineAnswer(false, true, risk)))
        .isEqualTo(new Decision.SkippedForMemoryRisk(risk, false));
    assertThat(new Decision.SkippedForMemoryRisk(risk, false).message())
        .isEqualTo("not hardened: tmpfs may use up to 64Mi and app has no memory limit (spec.onMemoryRisk: Skip)");

    assertThatThrownBy(() -> DecisionLadder.answer(new Decision.NotSelected(), change))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not ask the engine");
  }

  @Test
  void anInvalidOrUnknownPolicyDecidesNothing() {
    ReadOnlyPolicy broken = policy("broken", "{tmpPaths: [relative]}", null);
    PolicySet set = PolicySet.of(List.of(broken), name -> false);
    assertThatThrownBy(() -> DecisionLadder.decide(deployment(LINUX), broken, set))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("policy broken is invalid");
    assertThatThrownBy(() -> DecisionLadder.decide(deployment(LINUX), web(), set))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("policy web is not in this set");
    assertThat(set.acts(broken)).isFalse();
  }

  @Test
  void aRecordedOwnerTheSetDoesNotHoldIsAskedAboutOncePerSet() {
    int[] asked = {0};
    ReadOnlyPolicy web = web();
    PolicySet set = PolicySet.of(List.of(web), name -> {
      asked[0]++;
      return false;
    });
    Subject orphan = deployment(LINUX, EXCLUDE_LABEL, "a" + Annotations.OWNER + "=gone");
    DecisionLadder.decide(orphan, web, set);
    DecisionLadder.decide(orphan, web, set);
    DecisionLadder.decide(deployment(LINUX, "a" + Annotations.OWNER + "=gone"), web, set);
    assertThat(asked[0]).isEqualTo(1);
  }
}
