package dev.rootlock.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** How Rootlock follows the rollouts its pod-template changes start (docs/rollout-safety.md). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutSpec {
  static final String DURATION_PATTERN = "^([0-9]+(ms|s|m|h))+$";

  @JsonPropertyDescription("Rollback restores the pre-hardening template when a rollout fails; Keep leaves it.")
  @Default("Rollback")
  private OnFailure onFailure;

  @JsonPropertyDescription("Add a directory diagnosed from a read-only-filesystem crash as writable for that "
      + "workload and retry (at most 3 times).")
  @Default("false")
  private Boolean learn;

  @JsonPropertyDescription("At most this many of the policy's workloads roll out at once; the rest are Pending.")
  @Default("5")
  @Min(1)
  @Max(1000)
  private Integer maxInProgress;

  @JsonPropertyDescription("A rollout that has not completed after this long has failed (e.g. 10m, 1h).")
  @Default("10m")
  @Pattern(DURATION_PATTERN)
  private String timeout;

  public OnFailure getOnFailure() {
    return onFailure;
  }

  public void setOnFailure(OnFailure onFailure) {
    this.onFailure = onFailure;
  }

  public Boolean getLearn() {
    return learn;
  }

  public void setLearn(Boolean learn) {
    this.learn = learn;
  }

  public Integer getMaxInProgress() {
    return maxInProgress;
  }

  public void setMaxInProgress(Integer maxInProgress) {
    this.maxInProgress = maxInProgress;
  }

  public String getTimeout() {
    return timeout;
  }

  public void setTimeout(String timeout) {
    this.timeout = timeout;
  }
}
