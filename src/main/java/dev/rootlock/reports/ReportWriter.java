package dev.rootlock.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.engine.JsonPatches;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes each policy's report in the format the cluster has ({@code --reports}), writing only
 * when a report's content changed: what was last written is remembered, and read back once per
 * policy after a start, so a restart or a resync with nothing new writes nothing.
 */
public final class ReportWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReportWriter.class);
  /** An installed or removed report CRD is noticed within this long (checked on demand, not polled). */
  static final Duration FORMAT_RECHECK = Duration.ofMinutes(1);
  /** The fields Rootlock owns in a report; anything else (status a consumer adds) is left alone. */
  private static final List<String> CONTENT = List.of("source", "summary", "results");

  private final KubernetesClient client;
  private final ReportFormat.Option mode;
  private final Clock clock;
  private final Map<String, Written> written = new ConcurrentHashMap<>();
  private volatile ReportFormat format;
  private volatile Instant formatCheckedAt;

  /**
   * What was last written for one policy: its format and every part as the server holds it (null
   * for a part found missing when read back).
   */
  private record Written(ReportFormat format, List<GenericKubernetesResource> parts) {}

  public ReportWriter(KubernetesClient client, ReportFormat.Option mode, Clock clock) {
    this.client = client;
    this.mode = mode;
    this.clock = clock;
  }

  /**
   * The format reports are written in now, or null when off (or auto and no report CRD is
   * installed). Synchronized: fifty reconciles starting at once ask the API server once, not fifty times.
   */
  public synchronized ReportFormat format() {
    Instant now = clock.instant();
    if (formatCheckedAt == null || Duration.between(formatCheckedAt, now).compareTo(FORMAT_RECHECK) >= 0) {
      boolean first = formatCheckedAt == null;
      ReportFormat before = format;
      format = switch (mode) {
        case off -> null;
        case openreports -> ReportFormat.OPENREPORTS;
        case wgpolicy -> ReportFormat.WGPOLICY;
        case auto -> installed(ReportFormat.OPENREPORTS) ? ReportFormat.OPENREPORTS
            : installed(ReportFormat.WGPOLICY) ? ReportFormat.WGPOLICY : null;
      };
      formatCheckedAt = now;
      if (first || before != format) {
        LOG.info("policy reports: {}", format == null ? "off (no report CRD installed; --reports " + mode + ")"
            : format.apiVersion() + " " + format.kind());
      }
    }
    return format;
  }

  private boolean installed(ReportFormat f) {
    try {
      return client.apiextensions().v1().customResourceDefinitions().withName(f.crdName()).get() != null;
    } catch (KubernetesClientException e) {
      LOG.warn("cannot tell whether {} is installed (HTTP {}: {}); not writing {} reports", f.crdName(), e.getCode(),
          e.getMessage(), f.kind());
      return false;
    }
  }

  /**
   * Brings the policy's reports to {@code entries}: creates, updates or deletes parts as needed.
   *
   * @return the number of writes made (0 when nothing changed)
   * @throws KubernetesClientException when the API server refuses a write
   */
  public int publish(PolicyReports.Policy policy, List<ReportEntry> entries) {
    ReportFormat f = format();
    String key = policy.namespace() + "/" + policy.name();
    if (f == null) {
      return 0;
    }
    Written known = written.get(key);
    if (known == null || known.format() != f) {
      known = readBack(f, policy, entries.size());
    }
    List<JsonNode> previous = known.parts().stream().filter(Objects::nonNull).<JsonNode>map(JsonPatches::tree)
        .toList();
    List<ObjectNode> desired = PolicyReports.build(f, policy, entries, PolicyReports.resultsByWorkload(previous),
        clock.instant());
    List<GenericKubernetesResource> now = new ArrayList<>();
    int writes = 0;
    MixedOperation<GenericKubernetesResource, ?, Resource<GenericKubernetesResource>> reports = reports(f);
    for (int i = 0; i < desired.size(); i++) {
      GenericKubernetesResource want = JsonPatches.SERIALIZATION.convertValue(desired.get(i),
          GenericKubernetesResource.class);
      GenericKubernetesResource have = i < known.parts().size() ? known.parts().get(i) : null;
      if (have != null && sameContent(have, want)) {
        now.add(have);
        continue;
      }
      if (have == null) {
        now.add(reports.inNamespace(policy.namespace()).resource(want).create());
      } else {
        want.getMetadata().setResourceVersion(have.getMetadata().getResourceVersion());
        now.add(reports.inNamespace(policy.namespace()).resource(want).update());
      }
      writes++;
    }
    for (int i = desired.size(); i < known.parts().size(); i++) {
      if (known.parts().get(i) != null) {
        reports.inNamespace(policy.namespace()).withName(PolicyReports.name(policy.name(), i)).delete();
        writes++;
      }
    }
    written.put(key, new Written(f, now));
    return writes;
  }

  /** The policy is gone: its reports go with it (owner references); forget what was written. */
  public void forget(String namespace, String policy) {
    written.remove(namespace + "/" + policy);
  }

  /** Reads the parts that exist after a start (or a format change): one GET per part, plus one past the end. */
  private Written readBack(ReportFormat f, PolicyReports.Policy policy, int entries) {
    List<GenericKubernetesResource> parts = new ArrayList<>();
    int max = PolicyReports.maxResults();
    int expected = Math.max(1, (entries + max - 1) / max);
    for (int i = 0; ; i++) {
      GenericKubernetesResource r = reports(f).inNamespace(policy.namespace())
          .withName(PolicyReports.name(policy.name(), i)).get();
      if (r == null && i >= expected - 1) {
        break;
      }
      parts.add(r);
    }
    // a part missing in the middle (deleted by hand) stays null: it is created, the later ones updated
    return new Written(f, parts);
  }

  private static boolean sameContent(GenericKubernetesResource have, GenericKubernetesResource want) {
    JsonNode h = JsonPatches.tree(have);
    JsonNode w = JsonPatches.tree(want);
    for (String field : CONTENT) {
      if (!Objects.equals(h.get(field), w.get(field))) {
        return false;
      }
    }
    return Objects.equals(have.getMetadata().getLabels(), want.getMetadata().getLabels())
        && Objects.equals(JsonPatches.tree(have.getMetadata().getOwnerReferences()),
            JsonPatches.tree(want.getMetadata().getOwnerReferences()));
  }

  private MixedOperation<GenericKubernetesResource, ?, Resource<GenericKubernetesResource>> reports(ReportFormat f) {
    // the plural is known: no discovery request to find it
    return client.genericKubernetesResources(new ResourceDefinitionContext.Builder().withGroup(f.group())
        .withVersion(f.version()).withKind(f.kind()).withPlural(f.plural()).withNamespaced(true).build());
  }

  @Override
  public void close() {
    written.clear();
  }
}
