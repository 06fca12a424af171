package dev.rootlock.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One Compose service as plan reads it: its labels, whether it is read-only and what it already
 * mounts. Reading checks the shapes Compose allows, so a bad file is reported at its line instead
 * of being half planned.
 *
 * @param tmpfs the {@code tmpfs:} entries as written (Compose also takes a single string)
 * @param mounts every path the service mounts something at, from {@code volumes:} and {@code tmpfs:}
 */
record ComposeService(String name, ObjectNode node, Map<String, String> labels, boolean readOnly,
    List<String> tmpfs, List<Mount> mounts) {

  /** Something mounted at {@code target}; {@code by} says what, for a person ("volume ./data"). */
  record Mount(String target, String by, boolean readOnly) {}

  // the words Compose accepts for a boolean given as a string (compose-go's toBoolean)
  private static final Set<String> TRUE = Set.of("true", "yes", "y", "on");
  private static final Set<String> FALSE = Set.of("false", "no", "n", "off");

  static ComposeService read(String name, JsonNode node, FieldPath at, YamlLines lines)
      throws PlanInputException {
    if (!(node instanceof ObjectNode service)) {
      throw lines.error(at, "a service must be a mapping of its settings, found " + found(node));
    }
    List<Mount> mounts = new ArrayList<>(volumes(service.get("volumes"), at.field("volumes"), lines));
    List<String> tmpfs = tmpfs(service.get("tmpfs"), at.field("tmpfs"), lines);
    for (String entry : tmpfs) {
      mounts.add(new Mount(tmpfsTarget(entry), "tmpfs", false));
    }
    return new ComposeService(name, service, labels(service.get("labels"), at.field("labels"), lines),
        readOnly(service.get("read_only"), at.field("read_only"), lines), tmpfs, mounts);
  }

  /** The path of a tmpfs entry: what comes before its options ({@code /run:size=64m}). */
  private static String tmpfsTarget(String entry) {
    int colon = entry.indexOf(':');
    return colon < 0 ? entry : entry.substring(0, colon);
  }

  /** {@code tmpfs:} as a list of entries; Compose takes one string or a list of them. */
  private static List<String> tmpfs(JsonNode tmpfs, FieldPath at, YamlLines lines) throws PlanInputException {
    if (tmpfs == null || tmpfs.isNull()) {
      return List.of();
    }
    if (tmpfs.isTextual()) {
      return List.of(tmpfs.asText());
    }
    if (!tmpfs.isArray()) {
      throw lines.error(at, "must be a path or a list of paths such as /run:size=64m, found " + found(tmpfs));
    }
    List<String> entries = new ArrayList<>();
    for (int i = 0; i < tmpfs.size(); i++) {
      if (!tmpfs.get(i).isTextual()) {
        throw lines.error(at.index(i), "must be a path such as /run:size=64m, found " + found(tmpfs.get(i)));
      }
      entries.add(tmpfs.get(i).asText());
    }
    return entries;
  }

  /** Compose labels: a mapping, or a list of {@code key=value} strings (a bare key has the value ""). */
  private static Map<String, String> labels(JsonNode labels, FieldPath at, YamlLines lines)
      throws PlanInputException {
    Map<String, String> out = new LinkedHashMap<>();
    if (labels == null || labels.isNull()) {
      return out;
    }
    if (labels.isObject()) {
      for (Map.Entry<String, JsonNode> e : labels.properties()) {
        JsonNode v = e.getValue();
        if (v.isContainerNode()) {
          throw lines.error(at.field(e.getKey()), "a label value must be a string, found " + found(v));
        }
        out.put(e.getKey(), v.isNull() ? "" : v.asText());
      }
    } else if (labels.isArray()) {
      for (int i = 0; i < labels.size(); i++) {
        if (!labels.get(i).isTextual()) {
          throw lines.error(at.index(i), "must be a key=value string, found " + found(labels.get(i)));
        }
        String[] kv = labels.get(i).asText().split("=", 2);
        out.put(kv[0], kv.length == 2 ? kv[1] : "");
      }
    } else {
      throw lines.error(at, "must be a mapping or a list of key=value strings, found " + found(labels));
    }
    return out;
  }

  private static boolean readOnly(JsonNode v, FieldPath at, YamlLines lines) throws PlanInputException {
    if (v == null || v.isNull()) {
      return false;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    String word = v.isTextual() ? v.asText().toLowerCase(Locale.ROOT) : "";
    if (TRUE.contains(word) || FALSE.contains(word)) {
      return TRUE.contains(word);
    }
    throw lines.error(at, "must be true or false, found " + found(v)
        + (v.asText().contains("${") ? " (plan does not substitute variables)" : ""));
  }

  private static List<Mount> volumes(JsonNode volumes, FieldPath at, YamlLines lines) throws PlanInputException {
    if (volumes == null || volumes.isNull()) {
      return List.of();
    }
    if (!volumes.isArray()) {
      throw lines.error(at, "must be a list of volumes, found " + found(volumes));
    }
    List<Mount> mounts = new ArrayList<>();
    for (int i = 0; i < volumes.size(); i++) {
      JsonNode v = volumes.get(i);
      if (v.isTextual()) {
        mounts.add(shortSyntax(v.asText(), at.index(i), lines));
      } else if (v.isObject()) {
        mounts.add(longSyntax(v, at.index(i), lines));
      } else {
        throw lines.error(at.index(i), "must be a string such as ./data:/data or a mapping with a target, found "
            + found(v));
      }
    }
    return mounts;
  }

  /** {@code [SOURCE:]TARGET[:OPTIONS]}, split as Compose splits it. */
  private static Mount shortSyntax(String spec, FieldPath at, YamlLines lines) throws PlanInputException {
    List<String> parts = splitVolume(spec);
    if (parts.stream().anyMatch(String::isEmpty)) {
      throw lines.error(at, "\"" + spec + "\": empty section between colons");
    }
    if (parts.size() > 3) {
      throw lines.error(at, "\"" + spec + "\": too many colons; expected [SOURCE:]TARGET[:MODE]");
    }
    if (parts.size() == 1) {
      return new Mount(parts.get(0), "anonymous volume", false);
    }
    boolean ro = parts.size() == 3 && List.of(parts.get(2).split(",")).contains("ro");
    return new Mount(parts.get(1), "volume " + parts.get(0) + (ro ? " (read-only)" : ""), ro);
  }

  /**
   * Splits on the colons Compose (compose-go's ParseVolume) splits on: not the one after a single
   * letter, a Windows drive ({@code C:\data}), nor those inside a variable ({@code ${DATA:-./data}}),
   * which plan does not substitute. Like Compose, a spec of one or two characters is a target.
   */
  private static List<String> splitVolume(String spec) {
    if (spec.length() <= 2) {
      return List.of(spec);
    }
    List<String> parts = new ArrayList<>();
    int depth = 0;
    StringBuilder part = new StringBuilder();
    for (int i = 0; i < spec.length(); i++) {
      char c = spec.charAt(i);
      if (c == '$' && i + 1 < spec.length() && spec.charAt(i + 1) == '{') {
        depth++;
      } else if (c == '}' && depth > 0) {
        depth--;
      } else if (c == ':' && depth == 0 && !(part.length() == 1 && Character.isLetter(part.charAt(0)))) {
        parts.add(part.toString());
        part.setLength(0);
        continue;
      }
      part.append(c);
    }
    parts.add(part.toString());
    return parts;
  }

  /** {@code {type: bind, source: ./data, target: /data, read_only: true}}. */
  private static Mount longSyntax(JsonNode v, FieldPath at, YamlLines lines) throws PlanInputException {
    JsonNode target = v.get("target");
    if (target == null || !target.isTextual() || target.asText().isEmpty()) {
      throw lines.error(target == null ? at : at.field("target"),
          "a volume needs a target, the path in the container, found " + found(target));
    }
    String type = v.path("type").asText("volume");
    String source = v.path("source").isTextual() ? v.get("source").asText() : "";
    String by = type.equals("volume") && source.isEmpty() ? "anonymous volume"
        : type + (source.isEmpty() ? "" : " " + source);
    boolean ro = v.path("read_only").asBoolean(false);
    return new Mount(target.asText(), by + (ro ? " (read-only)" : ""), ro);
  }

  private static String found(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "nothing";
    }
    if (v.isTextual()) {
      return "\"" + v.asText() + "\"";
    }
    return v.isObject() ? "a mapping" : v.isArray() ? "a list" : v.isBoolean() ? "a boolean" : "a number";
  }
}
