package dev.rootlock.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The report objects for one policy: pure, entries in, report bodies out. One result per selected
 * workload with rule {@code read-only-root}, split into parts of at most {@value #MAX_RESULTS}
 * results so that no object nears etcd's size limit, each with its own summary. A result keeps
 * the timestamp it had in the previous report while its outcome and message stay the same, so an
 * unchanged policy produces byte-identical reports and nothing is written.
 */
public final class PolicyReports {
  public static final int MAX_RESULTS = 1000;
  public static final String SOURCE = "rootlock";
  public static final String RULE = "read-only-root";
  /** Every report Rootlock writes carries it, naming the policy. */
  public static final String POLICY_LABEL = "rootlock.dev/policy";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private PolicyReports() {}

  /**
   * Results per report part: {@value #MAX_RESULTS}; the system property {@code
   * rootlock.reports.maxResults} lowers it so tests can split without a thousand workloads.
   */
  static int maxResults() {
    return Math.max(1, Math.min(MAX_RESULTS, Integer.getInteger("rootlock.reports.maxResults", MAX_RESULTS)));
  }

  /** The policy a report is for. */
  public record Policy(String namespace, String name, String uid) {}

  /** Name of part {@code i} (0-based) of a policy's report: rootlock-web, rootlock-web-2, ... */
  public static String name(String policy, int part) {
    return "rootlock-" + policy + (part == 0 ? "" : "-" + (part + 1));
  }

  /**
   * @param previous results of the reports as last written, by workload (kind/namespace/name),
   *     for their timestamps; empty on the first write
   */
  public static List<ObjectNode> build(ReportFormat format, Policy policy, List<ReportEntry> entries,
      Map<String, JsonNode> previous, Instant now) {
    List<ReportEntry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparing(ReportEntry::kind).thenComparing(ReportEntry::namespace)
        .thenComparing(ReportEntry::name));
    List<ObjectNode> reports = new ArrayList<>();
    int max = maxResults();
    for (int from = 0, part = 0; from < sorted.size() || part == 0; from += max, part++) {
      List<ReportEntry> slice = sorted.subList(Math.min(from, sorted.size()), Math.min(from + max, sorted.size()));
      reports.add(report(format, policy, name(policy.name(), part), slice, previous, now));
    }
    return reports;
  }

  private static ObjectNode report(ReportFormat format, Policy policy, String name, List<ReportEntry> entries,
      Map<String, JsonNode> previous, Instant now) {
    ObjectNode r = NODES.objectNode();
    r.put("apiVersion", format.apiVersion());
    r.put("kind", format.kind());
    ObjectNode meta = r.putObject("metadata");
    meta.put("name", name);
    meta.put("namespace", policy.namespace());
    meta.putObject("labels").put(POLICY_LABEL, policy.name()).put("app.kubernetes.io/managed-by", SOURCE);
    ObjectNode owner = meta.putArray("ownerReferences").addObject();
    // garbage-collected with the policy; no blockOwnerDeletion (it would need more RBAC, gains nothing)
    owner.put("apiVersion", "rootlock.dev/v1alpha1").put("kind", "ReadOnlyPolicy").put("name", policy.name())
        .put("uid", policy.uid()).put("controller", true);
    if (format.hasTopLevelSource()) {
      r.put("source", SOURCE);
    }
    Map<String, Integer> counts = new HashMap<>();
    ArrayNode results = NODES.arrayNode();
    for (ReportEntry e : entries) {
      counts.merge(e.result(), 1, Integer::sum);
      results.add(result(policy, e, previous.get(key(e.kind(), e.namespace(), e.name())), now));
    }
    ObjectNode summary = r.putObject("summary");
    for (String s : List.of("pass", "fail", "warn", "error", "skip")) {
      summary.put(s, counts.getOrDefault(s, 0));
    }
    r.set("results", results);
    return r;
  }

  private static ObjectNode result(Policy policy, ReportEntry e, JsonNode before, Instant now) {
    ObjectNode res = NODES.objectNode();
    res.put("source", SOURCE);
    res.put("policy", policy.namespace() + "/" + policy.name());
    res.put("rule", RULE);
    res.put("result", e.result());
    res.put("scored", true);
    res.put("message", e.message() == null ? "" : e.message());
    ObjectNode subject = res.putArray("resources").addObject();
    subject.put("apiVersion", e.apiVersion()).put("kind", e.kind()).put("namespace", e.namespace())
        .put("name", e.name());
    if (e.uid() != null) {
      subject.put("uid", e.uid());
    }
    res.putObject("properties").put("state", e.state().name());
    boolean same = before != null && before.path("result").asText().equals(e.result())
        && before.path("message").asText().equals(res.get("message").asText())
        && before.path("properties").path("state").asText().equals(e.state().name());
    JsonNode timestamp = same ? before.get("timestamp") : null;
    if (timestamp == null) {
      ObjectNode t = NODES.objectNode();
      t.put("seconds", now.getEpochSecond()).put("nanos", 0);
      timestamp = t;
    }
    res.set("timestamp", timestamp);
    return res;
  }

  /** The results of reports as written, by workload, for {@link #build}'s timestamps. */
  public static Map<String, JsonNode> resultsByWorkload(List<? extends JsonNode> reports) {
    Map<String, JsonNode> out = new HashMap<>();
    for (JsonNode r : reports) {
      for (JsonNode res : r.path("results")) {
        JsonNode s = res.path("resources").path(0);
        out.put(key(s.path("kind").asText(), s.path("namespace").asText(), s.path("name").asText()), res);
      }
    }
    return out;
  }

  private static String key(String kind, String namespace, String name) {
    return kind + "/" + namespace + "/" + name;
  }
}
