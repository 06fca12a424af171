package dev.rootlock.reports;

import java.util.Locale;

/**
 * The two report APIs policy tools publish per-workload results in: OpenReports (where the
 * convention is moving) and the Kubernetes Policy WG's PolicyReport (what Kyverno and Policy
 * Reporter read today). Both have the same {@code results[]} and {@code summary}.
 */
public enum ReportFormat {
  OPENREPORTS("openreports.io", "v1alpha1", "Report", "reports"),
  WGPOLICY("wgpolicyk8s.io", "v1alpha2", "PolicyReport", "policyreports");

  private final String group;
  private final String version;
  private final String kind;
  private final String plural;

  ReportFormat(String group, String version, String kind, String plural) {
    this.group = group;
    this.version = version;
    this.kind = kind;
    this.plural = plural;
  }

  public String group() {
    return group;
  }

  public String version() {
    return version;
  }

  public String apiVersion() {
    return group + "/" + version;
  }

  public String kind() {
    return kind;
  }

  public String plural() {
    return plural;
  }

  /** The CRD that must be installed for this format: {@code reports.openreports.io}. */
  public String crdName() {
    return plural + "." + group;
  }

  /** OpenReports has a report-level {@code source}; PolicyReport only the per-result one. */
  boolean hasTopLevelSource() {
    return this == OPENREPORTS;
  }

  /** What {@code --reports} accepts. */
  public enum Option {
    auto, openreports, wgpolicy, off;

    /** @throws IllegalArgumentException naming the value */
    public static Option parse(String value) {
      try {
        return valueOf(value.trim().toLowerCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--reports: '" + value + "' is not one of auto, openreports, wgpolicy, off");
      }
    }
  }
}
