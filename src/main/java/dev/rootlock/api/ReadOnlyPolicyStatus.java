package dev.rootlock.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Observed outcome of a policy. {@code matched} and {@code compliant} are exact; the list is capped. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReadOnlyPolicyStatus {
  /** At most this many entries in {@link #workloads}; the counts stay exact beyond it. */
  public static final int MAX_WORKLOADS = 100;

  private Long observedGeneration;
  private Integer matched;
  private Integer compliant;
  @JsonPropertyDescription("Selected workloads that are RolledBack.")
  private Integer rolledBack;
  @JsonPropertyDescription("Selected workloads whose hardening carries a memory warning (spec.memoryShareWarning).")
  private Integer warnings;
  @JsonPropertyDescription("Selected workloads by kind, e.g. \"Deployment:12 StatefulSet:2\".")
  private String kinds;
  private List<Condition> conditions = new ArrayList<>();
  private List<WorkloadStatus> workloads = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Integer getMatched() {
    return matched;
  }

  public void setMatched(Integer matched) {
    this.matched = matched;
  }

  public Integer getCompliant() {
    return compliant;
  }

  public void setCompliant(Integer compliant) {
    this.compliant = compliant;
  }

  public Integer getRolledBack() {
    return rolledBack;
  }

  public void setRolledBack(Integer rolledBack) {
    this.rolledBack = rolledBack;
  }

  public Integer getWarnings() {
    return warnings;
  }

  public void setWarnings(Integer warnings) {
    this.warnings = warnings;
  }

  public String getKinds() {
    return kinds;
  }

  public void setKinds(String kinds) {
    this.kinds = kinds;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public List<WorkloadStatus> getWorkloads() {
    return workloads;
  }

  public void setWorkloads(List<WorkloadStatus> workloads) {
    this.workloads = workloads;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReadOnlyPolicyStatus s
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(matched, s.matched)
        && Objects.equals(compliant, s.compliant)
        && Objects.equals(rolledBack, s.rolledBack)
        && Objects.equals(warnings, s.warnings)
        && Objects.equals(kinds, s.kinds)
        && Objects.equals(conditions, s.conditions)
        && Objects.equals(workloads, s.workloads);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, matched, compliant, rolledBack, warnings, kinds, conditions, workloads);
  }
}
