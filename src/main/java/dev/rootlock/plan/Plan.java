package dev.rootlock.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Every input document with what would become of it. */
public record Plan(List<DocumentPlan> documents) {

  /** One input document; {@code planned} is null when it stays exactly as it is. */
  public record DocumentPlan(SourceDocument doc, JsonNode planned, List<WorkloadPlan> workloads) {
    public boolean changed() {
      return planned != null;
    }
  }

  public List<WorkloadPlan> workloads() {
    return documents.stream().flatMap(d -> d.workloads().stream()).toList();
  }

  /** One entry per changed workload (its owner's plan). */
  public List<WorkloadPlan> changes() {
    return workloads().stream().filter(WorkloadPlan::changes).toList();
  }

  /** Workloads plan did not harden: listed in the report, warned about otherwise. */
  public List<WorkloadPlan> notCovered() {
    return workloads().stream().filter(WorkloadPlan::isNotCovered).toList();
  }

  public boolean hasChanges() {
    return documents.stream().anyMatch(DocumentPlan::changed);
  }
}
