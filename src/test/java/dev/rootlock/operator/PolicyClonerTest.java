package dev.rootlock.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.ReadOnlyPolicyStatus;
import dev.rootlock.testing.Fixtures;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyClonerTest {
  private final KubernetesSerialization serialization = new KubernetesSerialization();
  private final PolicyCloner cloner = new PolicyCloner(serialization);

  private ReadOnlyPolicy cached() {
    ReadOnlyPolicy p = Fixtures.policy("web", "{selector: {matchLabels: {tier: web}}}");
    p.getMetadata().setNamespace("team-a");
    p.getMetadata().setResourceVersion("41");
    p.getMetadata().setFinalizers(new ArrayList<>(List.of("other.example/keep")));
    p.getMetadata().setAnnotations(new java.util.HashMap<>(Map.of("a", "1")));
    p.getMetadata().setOwnerReferences(new ArrayList<>(List.of(new OwnerReferenceBuilder().withName("o")
        .withKind("K").withApiVersion("v1").withUid("u").build())));
    ReadOnlyPolicyStatus status = new ReadOnlyPolicyStatus();
    status.setMatched(3);
    p.setStatus(status);
    return p;
  }

  @Test
  void theCopyEqualsThePolicyAsJsonWouldCopyIt() {
    ReadOnlyPolicy original = cached();
    ReadOnlyPolicy copy = cloner.clone(original);
    assertThat(copy).isNotSameAs(original);
    assertThat(copy.getMetadata()).isNotSameAs(original.getMetadata()).isEqualTo(original.getMetadata());
    assertThat(serialization.asJson(copy)).isEqualTo(serialization.asJson(serialization.clone(original)));
  }

  @Test
  void whatJosdkAndTheReconcilerChangeOnTheCopyLeavesTheCachedPolicyAsItWas() {
    ReadOnlyPolicy original = cached();
    String before = serialization.asJson(original);
    ReadOnlyPolicy copy = cloner.clone(original);

    // JOSDK: finalizer added and removed, resourceVersion cleared for a status edit
    copy.addFinalizer("rootlock.dev/finalizer");
    copy.getMetadata().getFinalizers().remove("other.example/keep");
    copy.getMetadata().setResourceVersion(null);
    copy.getMetadata().getAnnotations().put("b", "2");
    copy.getMetadata().getOwnerReferences().get(0).setName("changed");
    // Rootlock: the written status is set on the copy
    copy.setStatus(new ReadOnlyPolicyStatus());

    assertThat(serialization.asJson(original)).isEqualTo(before);
    assertThat(original.getMetadata().getFinalizers()).containsExactly("other.example/keep");
  }

  @Test
  void specAndStatusAreSharedNotCopied() {
    ReadOnlyPolicy original = cached();
    ReadOnlyPolicy copy = cloner.clone(original);
    assertThat(copy.getSpec()).isSameAs(original.getSpec());
    assertThat(copy.getStatus()).isSameAs(original.getStatus());
  }

  @Test
  void otherTypesAreCopiedThroughJson() {
    Deployment d = Fixtures.web("app");
    Deployment copy = cloner.clone(d);
    assertThat(copy).isNotSameAs(d).isEqualTo(d);
    assertThat(copy.getSpec()).isNotSameAs(d.getSpec());
  }
}
