package dev.rootlock.engine;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.List;

/**
 * The hardener's answer for one pod template.
 *
 * @param template the desired template (the input itself when nothing needs to change)
 * @param record what must be recorded to undo it; empty when Rootlock changed nothing
 * @param changed whether {@code template} differs from the input
 */
public record Hardening(PodTemplateSpec template, RevertRecord record, List<Finding> findings, boolean changed) {
  public Hardening {
    findings = List.copyOf(findings);
  }

  public List<Finding> findings(Finding.Kind kind) {
    return findings.stream().filter(f -> f.kind() == kind).toList();
  }
}
