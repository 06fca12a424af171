package dev.rootlock.workload;

import dev.rootlock.rollout.Related;
import dev.rootlock.rollout.RolloutReader;
import dev.rootlock.rollout.Uptake;
import dev.rootlock.rollout.Verdict;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** One workload as read: the object and its kind, so code that handles it never asks which kind it is. */
public record Workload(WorkloadKind<?> kind, HasMetadata object) {

  public Workload {
    if (!kind.type().isInstance(object)) {
      throw new IllegalArgumentException(object.getClass().getSimpleName() + " is not a " + kind);
    }
  }

  public String name() {
    return object.getMetadata().getName();
  }

  public String namespace() {
    return object.getMetadata().getNamespace();
  }

  public String uid() {
    return object.getMetadata().getUid();
  }

  /** metadata.generation, 0 when the server set none. */
  public long generation() {
    return object.getMetadata().getGeneration() == null ? 0 : object.getMetadata().getGeneration();
  }

  public String resourceVersion() {
    return object.getMetadata().getResourceVersion();
  }

  /** Never null. */
  public Map<String, String> annotations() {
    Map<String, String> a = object.getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }

  public String annotation(String key) {
    return annotations().get(key);
  }

  public Map<String, String> labels() {
    Map<String, String> l = object.getMetadata().getLabels();
    return l == null ? Map.of() : l;
  }

  /** The pod template, or null when the object has none. */
  public PodTemplateSpec template() {
    return kind.template(object);
  }

  /** The controller that made it (a ReplicaSet's Deployment, a Job's CronJob), if any. */
  public Optional<OwnerReference> controller() {
    var refs = object.getMetadata().getOwnerReferences();
    return refs == null ? Optional.empty()
        : refs.stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst();
  }

  /** "StatefulSet shop/db", for logs. */
  public String describe() {
    return kind.kind() + " " + namespace() + "/" + name();
  }

  /** Identifies the workload among every kind: "StatefulSet/shop/db". */
  public String key() {
    return kind.kind() + "/" + namespace() + "/" + name();
  }

  /** The same workload as another read of it returned. */
  public Workload with(HasMetadata newer) {
    return new Workload(kind, newer);
  }

  public Uptake uptake() {
    return typed(kind).uptake(object);
  }

  public boolean isComplete(Instant started) {
    return typed(kind).isComplete(object, started);
  }

  public Verdict judge(Related related, Instant started, Instant now, Duration timeout) {
    return typed(kind).judge(object, related, started, now, timeout);
  }

  /** See {@link RolloutReader#completionLasts}. */
  public boolean completionLasts() {
    return typed(kind).completionLasts(object);
  }

  /** See {@link RolloutReader#couldHavePassed}. */
  public boolean couldHavePassed() {
    return typed(kind).couldHavePassed(object);
  }

  /** See {@link RolloutReader#relatedKnown}. */
  public boolean relatedKnown(Related related) {
    return typed(kind).relatedKnown(object, related);
  }

  /** See {@link RolloutReader#watchesRelated}. */
  public boolean watchesRelated() {
    return kind.rollout() != null && kind.rollout().watchesRelated();
  }

  private <T extends HasMetadata> Reader<T> typed(WorkloadKind<T> k) {
    if (k.rollout() == null) {
      throw new IllegalStateException(k + " is never written, so it has no rollout to read");
    }
    return new Reader<>(k.rollout(), k.type());
  }

  /** A kind's reader applied to an object checked to be of that kind. */
  private record Reader<T extends HasMetadata>(RolloutReader<T> reader, Class<T> type) {
    Uptake uptake(HasMetadata o) {
      return reader.uptake(type.cast(o));
    }

    boolean isComplete(HasMetadata o, Instant started) {
      return reader.isComplete(type.cast(o), started);
    }

    Verdict judge(HasMetadata o, Related related, Instant started, Instant now, Duration timeout) {
      return reader.judge(type.cast(o), related, started, now, timeout);
    }

    boolean couldHavePassed(HasMetadata o) {
      return reader.couldHavePassed(type.cast(o));
    }

    boolean completionLasts(HasMetadata o) {
      return reader.completionLasts(type.cast(o));
    }

    boolean relatedKnown(HasMetadata o, Related related) {
      return reader.relatedKnown(type.cast(o), related);
    }
  }
}
