package dev.rootlock.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/** One selected Deployment's outcome. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkloadStatus {
  private String name;
  private WorkloadState state;
  private String message;

  public WorkloadStatus() {}

  public WorkloadStatus(String name, WorkloadState state, String message) {
    this.name = name;
    this.state = state;
    this.message = message;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
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

  @Override
  public boolean equals(Object o) {
    return o instanceof WorkloadStatus w
        && Objects.equals(name, w.name)
        && state == w.state
        && Objects.equals(message, w.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, state, message);
  }

  @Override
  public String toString() {
    return name + "=" + state;
  }
}
