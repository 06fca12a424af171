package dev.rootlock.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.api.Medium;
import dev.rootlock.decision.EngineAnswer;
import dev.rootlock.decision.Subject;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.Tmpfs;
import dev.rootlock.engine.WritablePath;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Plans the services of a Docker Compose file with the rules a Deployment's containers get: a
 * read-only root filesystem ({@code read_only: true}) and a memory-backed {@code tmpfs} at every
 * declared path nothing mounts yet. Selection is by the service's labels (Compose has no
 * namespaces); exclusion, ownership and Audit are the operator's, through {@link PlanDecisions}.
 */
final class ComposePlanner {
  static final String KIND = "ComposeService";

  private final List<PlanPolicy> policies;
  private final Consumer<PlanPolicy> selections;

  /** @param selections told each policy that selects a service, once per service */
  ComposePlanner(List<PlanPolicy> policies, Consumer<PlanPolicy> selections) {
    this.policies = policies;
    this.selections = selections;
  }

  /** One plan per service and selecting policy, in the order the file lists them. */
  List<WorkloadPlan> plan(SourceDocument doc) throws PlanInputException {
    YamlLines lines = new YamlLines(doc);
    String project = projectName(doc.node(), lines);
    List<WorkloadPlan> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : doc.node().get("services").properties()) {
      FieldPath at = FieldPath.of("services", e.getKey());
      ComposeService s = ComposeService.read(e.getKey(), e.getValue(), at, lines);
      String pointer = "/services/" + e.getKey().replace("~", "~0").replace("/", "~1");
      ManifestWorkload w = new ManifestWorkload(doc, lines.lineOf(at), pointer, KIND, project, s.name(), s.node());
      // Compose has no namespaces, no kinds and no annotations: every policy may select it by its labels
      PlanDecisions.decide(w, new Subject(s.labels(), Map.of(), null, null, true), policies,
          rules -> harden(s, rules).withWarnings(warnings(s, rules)), selections, out);
    }
    return out;
  }

  private static String projectName(JsonNode root, YamlLines lines) throws PlanInputException {
    JsonNode name = root.get("name");
    if (name == null || name.isNull()) {
      return null;
    }
    if (name.isContainerNode()) {
      throw lines.error(FieldPath.of("name"), "the project name must be a string");
    }
    return name.asText();
  }

  /** What hardening leaves as it is: an exempt service, a declared path on a read-only mount. */
  static List<PlanWarning> warnings(ComposeService s, PolicyRules rules) {
    List<PlanWarning> out = new ArrayList<>();
    if (!rules.hardens(s.name(), false)) {
      return out;
    }
    String exempt = rules.exemptions().reason(container(s));
    if (exempt != null) {
      out.add(new PlanWarning(PlanWarning.Type.ExemptContainer, s.name(), null, "service " + s.name()
          + " is exempt (" + exempt + ") and keeps a writable root filesystem"));
      return out;
    }
    for (WritablePath path : rules.paths()) {
      s.mounts().stream().filter(m -> path.isCoveredBy(m.target())).findFirst().filter(ComposeService.Mount::readOnly)
          .ifPresent(m -> out.add(new PlanWarning(PlanWarning.Type.ReadOnlyMount, s.name(), path.path(),
              "service " + s.name() + ": " + path.path() + " is declared writable but "
                  + (path.isAt(m.target()) ? "is" : "lies in " + m.target() + ",") + " a read-only mount ("
                  + m.by() + "): the app still cannot write there; mount it writable or remove it from spec."
                  + path.kind().field())));
    }
    return out;
  }

  private static io.fabric8.kubernetes.api.model.Container container(ComposeService s) {
    return new ContainerBuilder().withName(s.name()).withImage(s.node().path("image").asText(null)).build();
  }

  /** What hardening the service under {@code rules} changes. */
  static PlannedChange harden(ComposeService s, PolicyRules rules) {
    if (!rules.hardens(s.name(), false)) {
      // a service is one container, named like the service: mirror the engine's "nothing to harden"
      return unchanged("service " + s.name() + " is not in spec.containers, nothing to harden");
    }
    String exempt = rules.exemptions().reason(container(s));
    if (exempt != null) {
      return unchanged("service " + s.name() + ": exempt (" + exempt + "), left as it is");
    }
    ObjectNode planned = s.node().deepCopy();
    List<String> changes = new ArrayList<>();
    if (!s.readOnly()) {
      planned.put("read_only", true);
      changes.add("read_only: true");
    }
    List<ComposeService.Mount> mounts = new ArrayList<>(s.mounts());
    List<String> notes = new ArrayList<>();
    // parents first: a tmpfs added for /var covers /var/x
    List<String> added = notMounted(rules.paths(), "tmpfs", mounts, notes);
    if (!added.isEmpty()) {
      ArrayNode tmpfs = JsonNodeFactory.instance.arrayNode();
      s.tmpfs().forEach(tmpfs::add); // a single string becomes a list
      String options = Tmpfs.options(rules.sizeLimit());
      added.forEach(p -> tmpfs.add(p + ":" + options));
      planned.set("tmpfs", tmpfs);
      changes.add("tmpfs: " + String.join(", ", added));
      if (rules.memory().medium() == Medium.Disk) {
        // Compose has no sized scratch volume on disk; saying so beats a silent memory mount
        notes.add("spec.medium Disk does not apply to Compose: tmpfs is always memory-backed");
      }
    }
    List<String> seeded = notMounted(rules.seeding().paths(), "volume", mounts, notes);
    if (!seeded.isEmpty()) {
      // An anonymous volume: Docker and Podman fill it from the image's directory on first use,
      // which is what the seeder does in a pod; it needs no top-level volumes: entry.
      ArrayNode volumes = s.node().path("volumes").isArray() ? ((ArrayNode) s.node().get("volumes")).deepCopy()
          : JsonNodeFactory.instance.arrayNode();
      seeded.forEach(volumes::add);
      planned.set("volumes", volumes);
      changes.add("volumes seeded from the image (disk, not memory): " + String.join(", ", seeded));
    }
    ArrayNode ops = JsonPatches.diff(s.node(), planned);
    // Compose has no memory-backed scratch sized against a limit the engine could weigh: never skipped
    return new PlannedChange(ops, String.join("; ", changes), String.join(", ", notes),
        new EngineAnswer(!ops.isEmpty(), false, List.of()));
  }

  private static PlannedChange unchanged(String notes) {
    return new PlannedChange(JsonNodeFactory.instance.arrayNode(), "", notes, new EngineAnswer(false, false,
        List.of()));
  }

  /**
   * The paths nothing in {@code mounts} covers yet, each then added to {@code mounts} as mounted by
   * {@code by}; a note for each covered one.
   */
  private static List<String> notMounted(List<WritablePath> paths, String by, List<ComposeService.Mount> mounts,
      List<String> notes) {
    List<String> added = new ArrayList<>();
    for (WritablePath path : paths) {
      ComposeService.Mount covering = mounts.stream().filter(m -> path.isCoveredBy(m.target())).findFirst()
          .orElse(null);
      if (covering != null) {
        notes.add(path.path() + " already mounted by " + covering.by()
            + (path.isAt(covering.target()) ? "" : " at " + covering.target()));
      } else {
        added.add(path.path());
        mounts.add(new ComposeService.Mount(path.path(), by, false));
      }
    }
    return added;
  }
}
