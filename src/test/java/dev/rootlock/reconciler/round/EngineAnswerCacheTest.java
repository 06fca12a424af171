package dev.rootlock.reconciler.round;

import static dev.rootlock.testing.Fixtures.deployment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.WorkloadState;
import dev.rootlock.decision.Decision;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.reconciler.acting.Enforcer;
import dev.rootlock.rollout.RolloutRecord;
import dev.rootlock.testing.Manifests;
import dev.rootlock.workload.Workload;
import dev.rootlock.workload.WorkloadKinds;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HardeningMemoTest {
  private static final PolicyRules RULES = Manifests.rules("{selector: {matchLabels: {tier: web}}}");
  private final Hardener engine = new Hardener();
  private final EngineAnswerCache memo = new EngineAnswerCache(engine);

  /** A Deployment as the API server returns it after Rootlock hardened it: uid, generation, record. */
  private Deployment hardened(String uid, long generation) {
    Deployment d = deployment("web", "{tier: web}", "{containers: [{name: app, image: nginx}]}");
    Hardening h = engine.harden(d.getSpec().getTemplate(), RULES, RevertRecord.EMPTY);
    d.getSpec().setTemplate(h.template());
    d.getMetadata().setUid(uid);
    d.getMetadata().setGeneration(generation);
    d.getMetadata().setAnnotations(new HashMap<>(Map.of(Annotations.REVERT, h.record().toJson())));
    return d;
  }

  private Hardening ask(Deployment d, PolicyRules rules) throws RevertRecord.InvalidRevertRecordException {
    String revert = revertOf(d);
    return memo.harden(w(d), rules, List.of(), List.of(), memo.revert(revert), revert);
  }

  private static Workload w(Deployment d) {
    return new Workload(WorkloadKinds.DEPLOYMENT, d);
  }

  private static String revertOf(Deployment d) {
    return d.getMetadata().getAnnotations().get(Annotations.REVERT);
  }

  private static Deployment copy(Deployment d) {
    return new DeploymentBuilder(d).build();
  }

  @Test
  void aStatusOnlyUpdateIsAnsweredFromMemoryWithTheEnginesAnswer() throws Exception {
    Deployment d = hardened("u1", 2);
    Hardening first = ask(d, RULES);
    Deployment statusUpdate = copy(d); // a new object from the informer, same spec
    statusUpdate.getMetadata().setResourceVersion("99");
    Hardening second = ask(statusUpdate, RULES);

    assertThat(memo.misses()).isEqualTo(1);
    assertThat(memo.hits()).isEqualTo(1);
    assertThat(second.changed()).isFalse();
    assertThat(second.template()).isSameAs(statusUpdate.getSpec().getTemplate());
    assertThat(second.record()).isEqualTo(first.record());
    assertThat(second.findings()).isEqualTo(first.findings());
    assertThat(second).isEqualTo(engine.harden(statusUpdate.getSpec().getTemplate(), RULES, first.record()));
  }

  @Test
  void aTemplateChangeIsRecomputedEvenWhenTheGenerationDidNotMove() throws Exception {
    Deployment d = hardened("u1", 2);
    d.getMetadata().setResourceVersion("10");
    ask(d, RULES);
    assertThat(ask(d, RULES).changed()).as("the same version: answered without hashing its template").isFalse();
    assertThat(memo.hits()).isEqualTo(1);
    Deployment drifted = copy(d);
    drifted.getMetadata().setResourceVersion("11"); // every write moves it, the template's too
    drifted.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext().setReadOnlyRootFilesystem(false);

    Hardening h = ask(drifted, RULES);

    assertThat(memo.misses()).isEqualTo(2);
    assertThat(h.changed()).isTrue();
  }

  @Test
  void aNewGenerationANewUidANewRecordOrNewRulesAreEachAskedOfTheEngine() throws Exception {
    Deployment d = hardened("u1", 2);
    ask(d, RULES);

    Deployment nextGeneration = copy(d);
    nextGeneration.getMetadata().setGeneration(3L);
    ask(nextGeneration, RULES);
    Deployment recreated = copy(d);
    recreated.getMetadata().setUid("u2");
    ask(recreated, RULES);
    Deployment otherRecord = copy(d);
    otherRecord.getMetadata().getAnnotations().put(Annotations.REVERT, RevertRecord.EMPTY.toJson());
    ask(otherRecord, RULES);
    ask(d, Manifests.rules("{selector: {matchLabels: {tier: web}}, sizeLimit: 128Mi}"));

    assertThat(memo.misses()).isEqualTo(5);
    assertThat(memo.hits()).isZero();
  }

  @Test
  void aChangeIsAlwaysAskedOfTheEngineAPendingOneIsRememberedByItsSummary() throws Exception {
    Deployment plain = deployment("web", "{tier: web}", "{containers: [{name: app, image: nginx}]}");
    plain.getMetadata().setUid("u1");
    plain.getMetadata().setGeneration(1L);
    plain.getMetadata().setAnnotations(new HashMap<>());

    Hardening h = ask(plain, RULES);
    assertThat(h.changed()).isTrue();
    assertThat(ask(plain, RULES).changed()).isTrue();
    assertThat(memo.hits()).as("the template to write always comes from the engine").isZero();
    assertThat(memo.pendingChange(w(plain), RULES, List.of(), null)).as("not waiting for a slot").isNull();

    memo.rememberPending(w(plain), List.of(), null, h);
    assertThat(memo.pendingChange(w(copy(plain)), RULES, List.of(), null))
        .isEqualTo(new EngineAnswerCache.Due(h.changeSummary(), h.warnings()));
    assertThat(memo.hits()).isEqualTo(1);
    assertThat(ask(plain, RULES).template()).as("once it gets a slot: hardened afresh")
        .isEqualTo(h.template());
    assertThat(memo.hits()).isEqualTo(1);

    Deployment edited = copy(plain);
    edited.getMetadata().setGeneration(2L);
    assertThat(memo.pendingChange(w(edited), RULES, List.of(), null)).as("another generation").isNull();
    assertThat(memo.pendingChange(w(plain), RULES, List.of("/var/cache"), null)).as("other learned paths").isNull();
    assertThat(memo.pendingChange(w(plain), Manifests.rules("{selector: {matchLabels: {tier: web}}, sizeLimit: 8Mi}"),
        List.of(), null)).as("other rules").isNull();
  }

  @Test
  void aDeploymentWithoutUidOrGenerationIsNeverRemembered() throws Exception {
    Deployment d = hardened("u1", 2);
    d.getMetadata().setGeneration(null);
    ask(d, RULES);
    ask(d, RULES);
    assertThat(memo.hits()).isZero();
  }

  @Test
  void aRoundForgetsWhatItDidNotAskAbout() throws Exception {
    Deployment a = hardened("a", 1);
    Deployment b = hardened("b", 1);
    ask(a, RULES);
    ask(b, RULES);
    memo.endRound();
    ask(a, RULES); // hit; b not asked (deleted, say)
    memo.endRound();
    ask(a, RULES); // hit
    ask(b, RULES); // forgotten: the engine again

    assertThat(memo.hits()).isEqualTo(2);
    assertThat(memo.misses()).isEqualTo(3);
  }

  @Test
  void learnedPathsArePartOfTheQuestion() throws Exception {
    Deployment d = hardened("u1", 2);
    String revert = revertOf(d);
    memo.harden(w(d), RULES, List.of(), List.of(), memo.revert(revert), revert);

    Hardening withLearned = memo.harden(w(d), RULES, List.of("/var/cache/nginx"), List.of(), memo.revert(revert),
        revert);

    assertThat(withLearned.changed()).isTrue();
    assertThat(withLearned).isEqualTo(engine.harden(d.getSpec().getTemplate(),
        RULES.withLearnedPaths(List.of("/var/cache/nginx")), memo.revert(revert)));
  }

  @Test
  void recordsAreParsedOncePerTextAndABrokenRecordStaysBroken() throws Exception {
    Deployment d = hardened("u1", 2);
    assertThat(memo.revert(revertOf(d))).isSameAs(memo.revert(revertOf(copy(d))));
    d.getMetadata().getAnnotations().put(Annotations.ROLLOUT, RolloutRecord.EMPTY
        .started(3L, Instant.parse("2026-11-26T10:00:00Z"), 0, List.of()).toJson());
    assertThat(memo.rollout(w(d)).follows(3L)).isTrue();
    assertThat(memo.rollout(w(d))).isSameAs(memo.rollout(w(copy(d))));

    d.getMetadata().getAnnotations().put(Annotations.REVERT, "{not json");
    assertThatThrownBy(() -> memo.revert(revertOf(d))).isInstanceOf(RevertRecord.InvalidRevertRecordException.class)
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> memo.revert(revertOf(d))).isInstanceOf(RevertRecord.InvalidRevertRecordException.class);
  }

  @Test
  void auditWithItsOwnRecordAndWithoutItAreDifferentQuestions() {
    // Hardened by this policy when it wanted /tmp; now, in Audit, it wants no path at all. With
    // its own record, /tmp would be undone; another policy's record is none of its business.
    Deployment d = hardened("u1", 2);
    PolicyRules noPaths = Manifests.rules("{selector: {matchLabels: {tier: web}}, mode: Audit, tmpPaths: []}");
    Enforcer enforcer = new Enforcer(memo.hardener(), null, null, Clock.systemUTC(), null);
    Reconcile r = new Reconcile(new ResourceID("web", "shop"), 1, noPaths, new RolloutSlots(1), memo);

    assertThat(enforcer.evaluate(r, w(d), new Decision.Audit(false)).state()).isEqualTo(WorkloadState.Compliant);
    assertThat(enforcer.evaluate(r, w(d), new Decision.Audit(true)).state()).isEqualTo(WorkloadState.NonCompliant);
    assertThat(enforcer.evaluate(r, w(copy(d)), new Decision.Audit(false)).state()).isEqualTo(WorkloadState.Compliant);
    assertThat(memo.hits()).isEqualTo(1);
  }
}
