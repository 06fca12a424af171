package dev.rootlock.engine;

import dev.rootlock.api.Annotations;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.Map;

/**
 * Why Rootlock leaves a workload alone whatever a policy says: the team opted it out, or it runs
 * Windows containers, which have no read-only root filesystem to turn on (the kubelet refuses
 * {@code readOnlyRootFilesystem} for them).
 */
public final class Exclusion {
  static final String WINDOWS = "windows";

  private Exclusion() {}

  /** The reason in words ("annotated rootlock.dev/exclude=true"), or null when nothing excludes it. */
  public static String reason(Map<String, String> annotations, PodTemplateSpec template) {
    if (annotations != null && "true".equalsIgnoreCase(annotations.get(Annotations.EXCLUDE))) {
      return "annotated " + Annotations.EXCLUDE + "=true";
    }
    if (isWindows(template)) {
      return "runs on Windows (spec.os.name: windows), where containers cannot have a read-only root filesystem";
    }
    return null;
  }

  static boolean isWindows(PodTemplateSpec template) {
    return template != null && template.getSpec() != null && template.getSpec().getOs() != null
        && WINDOWS.equalsIgnoreCase(template.getSpec().getOs().getName());
  }
}
