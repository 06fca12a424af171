package dev.rootlock.engine;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.ArrayList;
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

  /** What this run changes, short: "read-only root: app, proxy; writable: app:/tmp, proxy:/tmp". */
  public String changeSummary() {
    List<String> readOnly = findings(Finding.Kind.READ_ONLY_SET).stream().map(Finding::container).toList();
    List<String> writable = findings(Finding.Kind.VOLUME_INJECTED).stream()
        .map(f -> f.container() + ":" + f.path()).toList();
    List<String> parts = new ArrayList<>();
    if (!readOnly.isEmpty()) {
      parts.add("read-only root: " + String.join(", ", readOnly));
    }
    if (!writable.isEmpty()) {
      parts.add("writable: " + String.join(", ", writable));
    }
    List<String> logs = findings(Finding.Kind.MESSAGE_POLICY_SET).stream().map(Finding::container).toList();
    if (!logs.isEmpty()) {
      parts.add("crash logs in status: " + String.join(", ", logs));
    }
    return parts.isEmpty() ? (changed ? "pod template updated" : "") : String.join("; ", parts);
  }

  /** Paths left alone and containers not found: what a user should know about a compliant result. */
  public String notes() {
    return String.join(", ", findings.stream()
        .filter(f -> f.kind() == Finding.Kind.PATH_ALREADY_MOUNTED || f.kind() == Finding.Kind.CONTAINER_NOT_FOUND
            || f.kind() == Finding.Kind.INIT_CONTAINER_SKIPPED || f.kind() == Finding.Kind.NOTHING_TO_HARDEN)
        .map(Finding::describe).toList());
  }
}
