package dev.rootlock.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.api.ReadOnlyPolicy;
import dev.rootlock.api.ReadOnlyPolicySpec;
import dev.rootlock.engine.Hardener;
import dev.rootlock.engine.Hardening;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.engine.Tmpfs;
import dev.rootlock.engine.WritablePath;
import dev.rootlock.plan.Yaml;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import java.io.PrintStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a probe's result is printed on stdout: a report, or something to paste where the image
 * runs. The Kubernetes forms come from the operator's own engine and policy types, so they are
 * exactly what Rootlock would write.
 */
public enum ProbeFormat {
  /** Every run, every path with the line that taught it, and the verdict. */
  report,
  /** {@code docker run} (or {@code podman run}) flags. */
  flags,
  /**
   * A Compose service as probed: image, command, user, environment, the labels the printed policy
   * selects, read_only, tmpfs, and a volume per seeded path.
   */
  compose,
  /** A ReadOnlyPolicy with the paths (the --policy given, with its paths replaced, or a new one). */
  policy,
  /** A strategic-merge patch for a Deployment's container, for kustomize's {@code patches:}. */
  kustomize;

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /**
   * The container as it was probed, so that what is printed describes that container.
   *
   * @param name the workload, service and container name to write
   * @param command the command after {@code --}; empty for the image's own
   * @param env the -e NAME=VALUE pairs
   * @param user the -u value, or null
   * @param selector the --selector labels, or empty: a new policy then selects {@code app: NAME}
   */
  public record Service(String name, List<String> command, List<String> env, String user,
      Map<String, String> selector) {
    public Service {
      command = List.copyOf(command);
      env = List.copyOf(env);
      selector = Collections.unmodifiableMap(new LinkedHashMap<>(selector));
    }

    public static Service named(String name) {
      return new Service(name, List.of(), List.of(), null, Map.of());
    }

    /**
     * The labels that make the printed policy select this service: --selector's, else the
     * starting policy's matchLabels, else {@code app: NAME}.
     */
    Map<String, String> labels(ReadOnlyPolicy from) {
      if (!selector.isEmpty()) {
        return selector;
      }
      if (from != null && from.getSpec() != null && from.getSpec().getSelector() != null) {
        Map<String, String> own = from.getSpec().getSelector().getMatchLabels();
        return own == null ? Map.of() : own;
      }
      return Map.of("app", name);
    }
  }

  /** @param policy the policy the probe started from, or null */
  public void write(ProbeResult r, Service s, ReadOnlyPolicy policy, PrintStream out) {
    switch (this) {
      case report -> out.print(report(r));
      case flags -> out.println(flags(r));
      case compose -> out.print(Yaml.write(compose(r, s, policy)));
      case policy -> out.print(policyComment(s, policy) + Yaml.write(policy(r, s, policy)));
      case kustomize -> out.print(Yaml.write(kustomize(r, s.name(), policy)));
    }
  }

  /** {@link #write(ProbeResult, Service, ReadOnlyPolicy, PrintStream)} for an image run as it is. */
  public void write(ProbeResult r, String name, ReadOnlyPolicy policy, PrintStream out) {
    write(r, Service.named(name), policy, out);
  }

  static String report(ProbeResult r) {
    StringBuilder b = new StringBuilder();
    b.append("IMAGE ").append(r.image()).append(" (").append(r.engine()).append(")\n\n");
    for (ProbeResult.Run run : r.runs()) {
      b.append("run ").append(run.number()).append(": ").append(run.outcome()).append('\n');
    }
    b.append('\n');
    if (!r.paths().isEmpty()) {
      int width = r.paths().stream().mapToInt(p -> p.path().length()).max().orElse(4);
      b.append(String.format("%-" + width + "s  %-10s  %s%n", "PATH", "FIELD", "FROM"));
      for (WritablePath p : r.declared()) {
        b.append(String.format("%-" + width + "s  %-10s  %s%n", p.path(), p.kind().field(), "declared"));
      }
      for (ProbeResult.Learned l : r.learned()) {
        b.append(String.format("%-" + width + "s  %-10s  run %d: %s%n", l.path().path(), l.path().kind().field(),
            l.run(), l.line()));
      }
      b.append('\n');
      List<String> found = r.learned().stream().map(ProbeResult.Learned::verdict).filter(v -> v != null).toList();
      if (!found.isEmpty()) {
        b.append("IN THE IMAGE\n");
        found.forEach(v -> b.append(v).append('\n'));
        b.append('\n');
      }
    }
    r.notes().forEach(n -> b.append("note: ").append(n).append('\n'));
    r.warnings().forEach(w -> b.append("warning: ").append(w).append('\n'));
    b.append(r.succeeded()
        ? "runs read-only with " + r.paths().size() + " writable path(s), after " + r.runs().size() + " run(s)\n"
        : "cannot run read-only: " + r.reason() + "\n");
    return b.toString();
  }

  static String flags(ProbeResult r) {
    StringBuilder b = new StringBuilder("--read-only");
    if (r.engine().equals("podman")) {
      b.append(" --read-only-tmpfs=false");
    }
    for (WritablePath p : r.paths()) {
      if (p.seeded()) {
        b.append(" -v ").append(p.path()); // an anonymous volume, filled from the image on first use
      } else {
        b.append(" --tmpfs ").append(p.path()).append(":rw,").append(Tmpfs.options(r.sizeLimit()))
            .append(r.engine().equals("podman") ? CliEngine.PODMAN_TMPFS : "");
      }
    }
    return b.toString();
  }

  static JsonNode compose(ProbeResult r, Service s, ReadOnlyPolicy from) {
    ObjectNode service = NODES.objectNode();
    service.put("image", r.image());
    if (!s.command().isEmpty()) {
      ArrayNode command = service.putArray("command");
      s.command().forEach(command::add);
    }
    if (s.user() != null) {
      service.put("user", s.user());
    }
    if (!s.env().isEmpty()) {
      ArrayNode env = service.putArray("environment");
      s.env().forEach(env::add);
    }
    Map<String, String> selecting = s.labels(from);
    if (!selecting.isEmpty()) { // the printed policy selects the service as printed
      ObjectNode labels = service.putObject("labels");
      selecting.forEach(labels::put);
    }
    service.put("read_only", true);
    ArrayNode tmpfs = service.putArray("tmpfs");
    r.paths().stream().filter(p -> !p.seeded()).forEach(p -> tmpfs.add(p.path() + ":" + Tmpfs.options(r.sizeLimit())));
    List<String> seeded = paths(r, WritablePath.Kind.SEED);
    if (!seeded.isEmpty()) {
      // anonymous volumes (disk, not memory): Docker and Podman fill them from the image on first use
      ArrayNode volumes = service.putArray("volumes");
      seeded.forEach(volumes::add);
    }
    ObjectNode root = NODES.objectNode();
    root.putObject("services").set(s.name(), service);
    return root;
  }

  /** How a new policy without --selector attaches: said, since it selects by a label the workload may lack. */
  static String policyComment(Service s, ReadOnlyPolicy from) {
    return from != null || !s.selector().isEmpty() ? "" : "# Selects the workloads labelled app=" + s.name()
        + " in its namespace: give yours that label, or probe again with --selector KEY=VALUE[,KEY=VALUE]\n";
  }

  static JsonNode policy(ProbeResult r, Service s, ReadOnlyPolicy from) {
    ReadOnlyPolicy p = from == null ? new ReadOnlyPolicy() : JsonPatches.SERIALIZATION.convertValue(
        JsonPatches.tree(from), ReadOnlyPolicy.class);
    if (from == null) {
      p.getMetadata().setName(s.name());
      p.setSpec(new ReadOnlyPolicySpec());
    }
    if (from == null || !s.selector().isEmpty()) {
      p.getSpec().setSelector(new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
          .addToMatchLabels(s.labels(from)).build());
    }
    // an empty list, not an absent one: absent tmpPaths means [/tmp] to the operator
    p.getSpec().setTmpPaths(paths(r, WritablePath.Kind.TMP));
    p.getSpec().setCachePaths(paths(r, WritablePath.Kind.CACHE));
    List<String> seeded = paths(r, WritablePath.Kind.SEED);
    p.getSpec().setSeedPaths(seeded.isEmpty() ? null : seeded);
    p.getSpec().setSizeLimit(r.sizeLimit().toString());
    p.setStatus(null);
    ObjectNode tree = (ObjectNode) JsonPatches.tree(p);
    tree.remove("status");
    return tree;
  }

  static JsonNode kustomize(ProbeResult r, String name, ReadOnlyPolicy from) {
    ReadOnlyPolicySpec spec = new ReadOnlyPolicySpec();
    spec.setTmpPaths(paths(r, WritablePath.Kind.TMP));
    spec.setCachePaths(paths(r, WritablePath.Kind.CACHE));
    List<String> seeded = paths(r, WritablePath.Kind.SEED);
    spec.setSeedPaths(seeded.isEmpty() ? null : seeded);
    spec.setSeed(from == null ? null : from.getSpec().getSeed());
    spec.setSizeLimit(r.sizeLimit().toString());
    PolicyRules rules = PolicyRules.from(spec).rules();
    PodTemplateSpec template = new PodTemplateSpecBuilder().withNewSpec().addNewContainer().withName(name)
        .withImage(r.image()).endContainer().endSpec().build();
    Hardening h = new Hardener().harden(template, rules, RevertRecord.EMPTY);
    Container c = h.template().getSpec().getContainers().get(0);
    c.setImage(null); // the patch must not pin the image: the manifest's own stays
    ObjectNode podSpec = NODES.objectNode();
    podSpec.putArray("containers").add(JsonPatches.tree(c));
    if (h.template().getSpec().getInitContainers() != null) {
      // the seeders (merged by name into the Deployment's init containers); their image is the app's
      podSpec.set("initContainers", JsonPatches.tree(h.template().getSpec().getInitContainers()));
    }
    podSpec.set("volumes", JsonPatches.tree(h.template().getSpec().getVolumes()));
    ObjectNode patch = NODES.objectNode();
    patch.put("apiVersion", "apps/v1");
    patch.put("kind", "Deployment");
    patch.putObject("metadata").put("name", name);
    patch.putObject("spec").putObject("template").set("spec", podSpec);
    return patch;
  }

  private static List<String> paths(ProbeResult r, WritablePath.Kind kind) {
    return r.paths().stream().filter(p -> p.kind() == kind).map(WritablePath::path).toList();
  }
}
