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

  /**
   * What this run changes, short: "read-only root: app, proxy; writable (memory): app:/tmp, proxy:/tmp;
   * seeded from the image (memory): app:/etc/nginx/conf.d".
   */
  public String changeSummary() {
    List<String> readOnly = findings(Finding.Kind.READ_ONLY_SET).stream().map(Finding::container).toList();
    List<String> parts = new ArrayList<>();
    if (!readOnly.isEmpty()) {
      parts.add("read-only root: " + String.join(", ", readOnly));
    }
    for (boolean seeded : new boolean[] {false, true}) {
      for (boolean disk : new boolean[] {false, true}) {
        List<String> writable = findings(Finding.Kind.VOLUME_INJECTED).stream()
            .filter(f -> f.detail().endsWith(" on disk") == disk && isSeeded(f) == seeded)
            .map(f -> f.container() + ":" + f.path()).toList();
        if (!writable.isEmpty()) {
          parts.add((seeded ? "seeded from the image (" : "writable (") + (disk ? "disk" : "memory") + "): "
              + String.join(", ", writable));
        }
      }
    }
    List<String> logs = findings(Finding.Kind.MESSAGE_POLICY_SET).stream().map(Finding::container).toList();
    if (!logs.isEmpty()) {
      parts.add("terminationMessagePolicy FallbackToLogsOnError: " + String.join(", ", logs));
    }
    return parts.isEmpty() ? (changed ? "pod template updated" : "") : String.join("; ", parts);
  }

  private boolean isSeeded(Finding f) {
    return record.injections().stream()
        .anyMatch(i -> i.isSeeded() && i.container().equals(f.container()) && i.path().equals(f.path()));
  }

  /**
   * Paths left alone, containers not found or exempt, memory warnings: what a user should know
   * about a compliant result.
   */
  public String notes() {
    return String.join(", ", findings.stream()
        .filter(f -> NOTES.contains(f.kind()))
        .map(Finding::describe).toList());
  }

  private static final java.util.Set<Finding.Kind> NOTES = java.util.EnumSet.of(Finding.Kind.PATH_ALREADY_MOUNTED,
      Finding.Kind.CONTAINER_NOT_FOUND, Finding.Kind.INIT_CONTAINER_SKIPPED, Finding.Kind.NOTHING_TO_HARDEN,
      Finding.Kind.CONTAINER_EXEMPTED, Finding.Kind.MEMORY_RISK, Finding.Kind.HARDENING_SKIPPED);

  /** Memory risks: "tmpfs may use up to 192Mi of app's 256Mi limit", one per container. */
  public List<String> warnings() {
    return findings(Finding.Kind.MEMORY_RISK).stream().map(Finding::detail).toList();
  }

  /** True when the rules were not applied because of a memory risk (spec.onMemoryRisk: Skip). */
  public boolean skipped() {
    return !findings(Finding.Kind.HARDENING_SKIPPED).isEmpty();
  }

  /**
   * Why a skipped workload stays as it is, for its status and for plan: "not hardened: tmpfs may
   * use up to 192Mi of app's 256Mi limit (spec.onMemoryRisk: Skip)".
   */
  public static final String NOT_HARDENED = "not hardened: ";

  public String skipReason() {
    return NOT_HARDENED + String.join("; ", warnings()) + " (spec.onMemoryRisk: Skip)";
  }
}
