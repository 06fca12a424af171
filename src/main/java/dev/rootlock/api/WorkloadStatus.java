package dev.rootlock.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Objects;

/** One selected workload's outcome. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class WorkloadStatus {
  private String name;

  @JsonPropertyDescription("The workload's kind: Deployment, StatefulSet, DaemonSet, CronJob, or Job (reported, "
      + "never written).")
  private String kind;

  private WorkloadState state;
  private String message;

  @JsonPropertyDescription("Directories learned from read-only-filesystem crashes (spec.rollout.learn) and "
      + "made writable for this workload only.")
  private List<String> learnedPaths;

  public WorkloadStatus() {}

  public WorkloadStatus(String name, WorkloadState state, String message) {
    this(name, state, message, List.of());
  }

  public WorkloadStatus(String name, WorkloadState state, String message, List<String> learnedPaths) {
    this(null, name, state, message, learnedPaths);
  }

  public WorkloadStatus(String kind, String name, WorkloadState state, String message, List<String> learnedPaths) {
    this.kind = kind;
    this.name = name;
    this.state = state;
    this.message = message;
    this.learnedPaths = learnedPaths == null || learnedPaths.isEmpty() ? null : List.copyOf(learnedPaths);
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
  }

  public WorkloadState getState() {
    return state;
  }

  public void setState(WorkloadState state) {
    this.state = state;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public List<String> getLearnedPaths() {
    return learnedPaths;
  }

  public void setLearnedPaths(List<String> learnedPaths) {
    this.learnedPaths = learnedPaths;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WorkloadStatus w
        && Objects.equals(name, w.name)
        && Objects.equals(kind, w.kind)
        && state == w.state
        && Objects.equals(message, w.message)
        && Objects.equals(emptyIfNull(learnedPaths), emptyIfNull(w.learnedPaths));
  }

  private static List<String> emptyIfNull(List<String> l) {
    return l == null ? List.of() : l;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, kind, state, message, emptyIfNull(learnedPaths));
  }

  @Override
  public String toString() {
    return (kind == null ? "" : kind + "/") + name + "=" + state;
  }
}
