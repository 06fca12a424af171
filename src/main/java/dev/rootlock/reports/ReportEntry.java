package dev.rootlock.reports;

import dev.rootlock.api.WorkloadState;

/**
 * One selected workload's outcome, as a report result needs it.
 *
 * @param apiVersion the workload's API version ({@code apps/v1})
 * @param kind its kind ({@code Deployment})
 * @param uid its uid, so report readers can follow it across renames; may be null
 */
public record ReportEntry(String apiVersion, String kind, String namespace, String name, String uid,
    WorkloadState state, String message) {

  /** pass, fail, warn or skip, as the report APIs define them. */
  public String result() {
    return switch (state) {
      case Compliant -> "pass";
      case NonCompliant, RolledBack, Failed -> "fail";
      case Conflict, Pending, RollingOut -> "warn";
      case Excluded -> "skip";
    };
  }
}
