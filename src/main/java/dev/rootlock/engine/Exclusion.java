package dev.rootlock.engine;

import dev.rootlock.api.Annotations;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.Map;

/**
 * Why Rootlock leaves a workload alone whatever a policy says: the team opted it out, with the
 * annotation or the label {@code rootlock.dev/exclude: "true"} (the label also keeps the admission
 * webhook from being called at all, docs/webhook.md), or it runs Windows containers, which have no
 * read-only root filesystem to turn on (the kubelet refuses {@code readOnlyRootFilesystem} for them).
 * The same rules on every path: the reconcile, the webhook and {@code plan} (docs/policy.md).
 */
public final class Exclusion {
  static final String WINDOWS = "windows";

  private Exclusion() {}

  /**
   * The reason in words ("annotated rootlock.dev/exclude=true", "labelled rootlock.dev/exclude=true"),
   * or null when nothing excludes it. The value "true" in any case opts out; any other keeps it in.
   *
   * @param labels the workload's labels, or null
   * @param annotations the workload's annotations, or null
   * @param template its pod template, or null when it has none (a Compose service)
   */
  public static String reason(Map<String, String> labels, Map<String, String> annotations,
      PodTemplateSpec template) {
    if (optsOut(annotations)) {
      return "annotated " + Annotations.EXCLUDE + "=true";
    }
    if (optsOut(labels)) {
      return "labelled " + Annotations.EXCLUDE + "=true";
    }
    if (isWindows(template)) {
      return "runs on Windows (spec.os.name: windows), where containers cannot have a read-only root filesystem";
    }
    return null;
  }

  private static boolean optsOut(Map<String, String> keys) {
    return keys != null && "true".equalsIgnoreCase(keys.get(Annotations.EXCLUDE));
  }

  static boolean isWindows(PodTemplateSpec template) {
    return template != null && template.getSpec() != null && template.getSpec().getOs() != null
        && WINDOWS.equalsIgnoreCase(template.getSpec().getOs().getName());
  }
}
