package dev.rootlock.decision;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.ControllerKind;
import dev.rootlock.engine.LabelSelectors;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.workload.Workload;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.Map;

/**
 * A workload as the {@link DecisionLadder} reads it, whichever path read it: an object from an
 * informer or an admission request, a manifest, a Compose service.
 *
 * @param labels never null
 * @param annotations never null; Rootlock's owner annotation among them
 * @param template the pod template, or null when there is none (a Compose service)
 * @param selectedBy the {@code spec.kinds} entry that selects its kind; null when every policy does
 * @param writable whether the path deciding may change it: the operator writes the kinds it
 *     hardens and only reports a running Job; {@code plan} changes every manifest it reads
 */
public record Subject(Map<String, String> labels, Map<String, String> annotations, PodTemplateSpec template,
    ControllerKind selectedBy, boolean writable) {

  public Subject {
    labels = labels == null ? Map.of() : labels;
    annotations = annotations == null ? Map.of() : annotations;
  }

  /** A Kubernetes workload as the operator sees it: written when its kind is one it hardens. */
  public static Subject of(Workload w) {
    return of(w, w.kind().isHardened());
  }

  public static Subject of(Workload w, boolean writable) {
    return new Subject(w.labels(), w.annotations(), w.template(), w.kind().selectedBy(), writable);
  }

  /** The policy its owner annotation names, or null. */
  public String recordedOwner() {
    return annotations.get(Annotations.OWNER);
  }

  /** Whether a policy with these rules selects it: its kind ({@code spec.kinds}) and its labels. */
  public boolean isSelectedBy(PolicyRules rules) {
    return (selectedBy == null || rules.selects(selectedBy)) && LabelSelectors.matches(rules.selector(), labels);
  }
}
