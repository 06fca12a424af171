package dev.rootlock.rollout;

import dev.rootlock.diagnosis.ContainerDirectories;
import dev.rootlock.diagnosis.Diagnosis;
import dev.rootlock.diagnosis.ReadOnlyFilesystemErrors;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Failed containers in the pods a change started, with what their termination messages say. The
 * same evidence for every kind: only which pods are the change's differs.
 */
final class PodFailures {
  private PodFailures() {}

  /**
   * The first failure, by pod name, among live pods created since {@code started} (a reused
   * ReplicaSet or a StatefulSet ordinal may still hold pods of an earlier life).
   */
  static Optional<Verdict.Failed> first(Stream<Pod> pods, PodTemplateSpec template, Instant started) {
    return pods
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null && Readings.created(p, started))
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .map(p -> crash(p, template))
        .flatMap(Optional::stream)
        .findFirst();
  }

  /** The first container of the pod that crashed, with what its termination message says. */
  static Optional<Verdict.Failed> crash(Pod pod, PodTemplateSpec template) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    List<ContainerStatus> statuses = new ArrayList<>();
    if (pod.getStatus().getInitContainerStatuses() != null) {
      statuses.addAll(pod.getStatus().getInitContainerStatuses());
    }
    if (pod.getStatus().getContainerStatuses() != null) {
      statuses.addAll(pod.getStatus().getContainerStatuses());
    }
    for (ContainerStatus cs : statuses) {
      ContainerStateTerminated now = cs.getState() == null ? null : cs.getState().getTerminated();
      ContainerStateTerminated last = cs.getLastState() == null ? null : cs.getLastState().getTerminated();
      boolean backOff = cs.getState() != null && cs.getState().getWaiting() != null
          && "CrashLoopBackOff".equals(cs.getState().getWaiting().getReason());
      ContainerStateTerminated failed = isError(now) ? now : isError(last) ? last : null;
      if (!backOff && failed == null) {
        continue;
      }
      String how = backOff ? "is in CrashLoopBackOff" : "terminated with an error";
      String exit = failed == null ? "" : " (exit code " + failed.getExitCode()
          + (failed.getReason() == null ? "" : ", " + failed.getReason()) + ")";
      String evidence = "pod " + pod.getMetadata().getName() + ": container " + cs.getName() + " " + how + exit;
      Diagnosis diagnosis = failed == null ? Diagnosis.NONE
          : ReadOnlyFilesystemErrors.diagnose(failed.getMessage(), context(template, cs.getName()));
      return Optional.of(new Verdict.Failed(evidence, diagnosis, cs.getName()));
    }
    return Optional.empty();
  }

  /**
   * Where the container's relative paths and temp files go, as its template says: workingDir and
   * a literal TMPDIR. The image's own working directory is not known here, so a relative path in
   * a container without workingDir stays unresolved (and is never learned).
   */
  static ContainerDirectories context(PodTemplateSpec template, String container) {
    if (template == null || template.getSpec() == null) {
      return ContainerDirectories.UNKNOWN;
    }
    return Stream.concat(stream(template.getSpec().getInitContainers()), stream(template.getSpec().getContainers()))
        .filter(c -> container.equals(c.getName()))
        .findFirst()
        .map(c -> new ContainerDirectories(c.getWorkingDir(), stream(c.getEnv())
            .filter(e -> "TMPDIR".equals(e.getName()) && e.getValueFrom() == null)
            .map(EnvVar::getValue).findFirst().orElse(null)))
        .orElse(ContainerDirectories.UNKNOWN);
  }

  static boolean ownedBy(List<OwnerReference> refs, String uid) {
    return uid != null && refs != null && refs.stream().anyMatch(r -> uid.equals(r.getUid()));
  }

  private static <T> Stream<T> stream(List<T> list) {
    return list == null ? Stream.empty() : list.stream();
  }

  private static boolean isError(ContainerStateTerminated t) {
    return t != null && t.getExitCode() != null && t.getExitCode() != 0;
  }
}
