package dev.rootlock.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every input document with what would become of it, and the policies it was planned with. */
public record Plan(List<DocumentPlan> documents, List<PolicyUse> policies) {

  /** A policy, and how many workloads (Compose services included) it selects among the input. */
  public record PolicyUse(PlanPolicy policy, int selected) {}

  public Plan {
    documents = List.copyOf(documents);
    policies = List.copyOf(policies);
  }

  /**
   * One input document.
   *
   * @param planned the document after the plan, or null when it stays exactly as it is
   * @param text its text after the plan: the original when unchanged, else edited in place (or
   *     rewritten, see {@code rewritten})
   * @param rewritten why a changed document could not be edited in place, or null
   */
  public record DocumentPlan(SourceDocument doc, JsonNode planned, List<WorkloadPlan> workloads, String text,
      String rewritten) {
    public boolean changed() {
      return planned != null;
    }
  }

  /**
   * One input file, as its documents make it up.
   *
   * @param original the file's text as read
   * @param planned its text after the plan
   */
  public record FilePlan(String source, String original, String planned, List<DocumentPlan> documents) {
    public boolean changed() {
      return documents.stream().anyMatch(DocumentPlan::changed);
    }
  }

  /** The input files in the order they were read. */
  public List<FilePlan> files() {
    Map<String, List<DocumentPlan>> bySource = new LinkedHashMap<>();
    documents.forEach(d -> bySource.computeIfAbsent(d.doc().source(), s -> new ArrayList<>()).add(d));
    List<FilePlan> out = new ArrayList<>();
    bySource.forEach((source, docs) -> {
      StringBuilder original = new StringBuilder();
      StringBuilder planned = new StringBuilder();
      for (DocumentPlan d : docs) {
        original.append(d.doc().text());
        planned.append(d.text());
      }
      out.add(new FilePlan(source, original.toString(), planned.toString(), docs));
    });
    return out;
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
