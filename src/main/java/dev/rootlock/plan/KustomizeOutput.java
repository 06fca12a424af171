package dev.rootlock.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One JSON 6902 patch file per changed workload, plus a {@code kustomization.yaml} fragment whose
 * {@code patches:} list targets each of them, so upstream manifests are hardened without editing.
 */
final class KustomizeOutput {
  static final String FRAGMENT = "kustomization.yaml";

  private KustomizeOutput() {}

  /**
   * Rewrites "add at index n" into "add at -" where n is the end of the list at that point, so a
   * patch keeps working when the upstream manifest later gains a volume or mount of its own.
   */
  static ArrayNode appendsAtEnd(JsonNode original, ArrayNode ops) {
    JsonNode state = original.deepCopy();
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (JsonNode op : ops) {
      ObjectNode copy = op.deepCopy();
      String path = op.get("path").asText();
      int slash = path.lastIndexOf('/');
      JsonNode parent = state.at(path.substring(0, slash));
      String last = path.substring(slash + 1);
      if ("add".equals(op.get("op").asText()) && parent.isArray() && last.equals(String.valueOf(parent.size()))) {
        copy.put("path", path.substring(0, slash) + "/-");
      }
      ArrayNode single = JsonNodeFactory.instance.arrayNode().add(op);
      state = JsonPatch.apply(single, state);
      out.add(copy);
    }
    return out;
  }

  static final String HEADER = "# rootlock plan: add these entries to the patches: of your kustomization";

  /** What every file plan writes here starts with; a file that does not was not written by plan. */
  private static final String MARK = "# rootlock plan: ";

  static void write(Plan plan, Path dir, PrintStream stdout) throws IOException, PlanInputException {
    Path fragmentFile = dir.resolve(FRAGMENT);
    if (Files.exists(fragmentFile) && !Files.readString(fragmentFile).startsWith(HEADER)) {
      throw new PlanInputException(fragmentFile.toString(), 0, "exists and was not written by rootlock plan; "
          + "refusing to overwrite it: choose another --out directory (for example a patches/ subdirectory)");
    }
    requireOnePatchPerTarget(plan);
    Files.createDirectories(dir);
    ArrayNode patches = JsonNodeFactory.instance.arrayNode();
    Set<String> used = new HashSet<>();
    used.add(FRAGMENT);
    for (WorkloadPlan w : plan.changes()) {
      String base = (w.kind() + "-" + (w.namespace() == null ? "" : w.namespace() + "-") + w.name())
          .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]+", "-");
      String file = base + ".yaml";
      for (int n = 2; !used.add(file); n++) {
        file = base + "-" + n + ".yaml";
      }
      Files.writeString(dir.resolve(file),
          MARK + w.summary() + "\n" + Yaml.write(appendsAtEnd(w.original(), w.ops())));
      ObjectNode entry = patches.addObject();
      entry.put("path", file);
      ObjectNode target = entry.putObject("target");
      String apiVersion = w.original().path("apiVersion").asText();
      int slash = apiVersion.indexOf('/');
      if (slash > 0) {
        target.put("group", apiVersion.substring(0, slash)); // the core group (a Pod) has none
      }
      target.put("version", apiVersion.substring(slash + 1));
      target.put("kind", w.kind());
      target.put("name", w.name());
      if (w.namespace() != null) {
        target.put("namespace", w.namespace());
      }
      stdout.println("wrote " + dir.resolve(file));
    }
    ObjectNode fragment = JsonNodeFactory.instance.objectNode();
    fragment.set("patches", patches);
    Files.writeString(dir.resolve(FRAGMENT),
        HEADER + "\n" + Yaml.write(fragment));
    stdout.println("wrote " + dir.resolve(FRAGMENT));
    removeStale(dir, used, stdout);
  }

  /**
   * Two inputs that define the same object would give kustomize two patches on one target, each
   * computed without the other: refused, naming both.
   */
  private static void requireOnePatchPerTarget(Plan plan) throws PlanInputException {
    Map<String, WorkloadPlan> seen = new HashMap<>();
    for (WorkloadPlan w : plan.changes()) {
      String target = w.kind() + " " + w.qualifiedName();
      WorkloadPlan first = seen.putIfAbsent(target, w);
      if (first != null) {
        throw new PlanInputException(w.location(), 0, target + " is also defined at " + first.location()
            + ": kustomize would apply two patches to one object; plan each overlay's input with its own --out");
      }
    }
  }

  /** Patch files an earlier run wrote for workloads that no longer change: they would still be applied. */
  private static void removeStale(Path dir, Set<String> written, PrintStream stdout) throws IOException {
    List<Path> stale = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".yaml") && !written.contains(name) && startsWithMark(f)) {
          stale.add(f);
        }
      }
    }
    for (Path f : stale) {
      Files.delete(f);
      stdout.println("removed " + f + " (no longer needed)");
    }
  }

  private static boolean startsWithMark(Path f) throws IOException {
    try (var in = Files.newBufferedReader(f)) {
      String first = in.readLine();
      return first != null && first.startsWith(MARK);
    } catch (java.nio.charset.MalformedInputException e) {
      return false;
    }
  }
}
