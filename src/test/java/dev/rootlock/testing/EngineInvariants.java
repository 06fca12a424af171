package dev.rootlock.testing;

import static dev.rootlock.testing.Manifests.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rootlock.engine.PolicyRules;
import dev.rootlock.engine.RevertRecord;
import dev.rootlock.engine.WritablePath;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** What must hold of every hardening, whatever the template: shared by table, corpus and property tests. */
public final class EngineInvariants {
  private EngineInvariants() {}

  /**
   * Every hardened container is read-only and has every declared path covered by a mount. (Crash
   * logs in the status ride along with a write: see {@link #assertCrashLogsRideAlong}.)
   */
  /**
   * When hardening wrote the template, every hardened container puts crash logs in its status (the
   * test templates never set a policy other than File); when it did not, no message policy moved.
   */
  public static void assertCrashLogsRideAlong(PodTemplateSpec before, io.fabric8.kubernetes.api.model.PodTemplateSpec
      after, boolean changed, PolicyRules rules) {
    List<Container> hardened = new ArrayList<>();
    nonNull(after.getSpec().getInitContainers()).stream().filter(c -> rules.hardens(c.getName(), true))
        .forEach(hardened::add);
    nonNull(after.getSpec().getContainers()).stream().filter(c -> rules.hardens(c.getName(), false))
        .forEach(hardened::add);
    for (Container c : hardened) {
      if (changed) {
        assertThat(c.getTerminationMessagePolicy()).as(c.getName() + " puts crash logs in its status")
            .isEqualTo("FallbackToLogsOnError");
      }
    }
    if (!changed) {
      assertThat(after).as("nothing to write: nothing changed, crash-log policy included").isSameAs(before);
    }
  }

  public static List<Container> assertCompliant(PodTemplateSpec t, PolicyRules rules) {
    List<Container> hardened = new ArrayList<>();
    nonNull(t.getSpec().getInitContainers()).stream().filter(c -> rules.hardens(c.getName(), true) && !isSeeder(c))
        .forEach(hardened::add);
    nonNull(t.getSpec().getContainers()).stream().filter(c -> rules.hardens(c.getName(), false)).forEach(hardened::add);
    for (Container c : hardened) {
      assertThat(c.getSecurityContext()).as(c.getName()).isNotNull();
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
      for (WritablePath p : rules.allPaths()) {
        assertThat(c.getVolumeMounts()).as(c.getName() + " covers " + p.path())
            .anyMatch(m -> p.isCoveredBy(m.getMountPath()));
      }
    }
    return hardened;
  }

  /**
   * Every seeded path a hardened container got an emptyDir of Rootlock's for is filled by exactly
   * one init container of Rootlock's, placed before every init container of the team's: it mounts
   * that volume and names the path and the volume's mount in its command; and no seeder is there
   * that fills nothing (a template without seeded paths gets none).
   */
  public static void assertSeeded(PodTemplateSpec t, RevertRecord record) {
    List<Container> inits = nonNull(t.getSpec().getInitContainers());
    Set<String> seeders = record.seeds().stream().map(RevertRecord.Seed::initContainer).collect(Collectors.toSet());
    for (RevertRecord.Injection inj : record.injections()) {
      if (!inj.isSeeded()) {
        continue;
      }
      List<Container> filling = inits.stream().filter(i -> !i.getName().equals(inj.container())
          && nonNull(i.getVolumeMounts()).stream().anyMatch(m -> m.getName().equals(inj.volume()))).toList();
      assertThat(filling).as(inj.container() + ": one seeder fills " + inj.path()).hasSize(1);
      Container seeder = filling.get(0);
      assertThat(seeders).as("the seeder of " + inj.path() + " is recorded").contains(seeder.getName());
      assertThat(seeder.getCommand()).as(seeder.getName() + " copies " + inj.path())
          .containsSubsequence(inj.path(), "/rootlock/seed/" + inj.volume());
      assertThat(seeder.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    }
    for (RevertRecord.Seed s : record.seeds()) {
      int at = -1;
      for (int i = 0; i < inits.size(); i++) {
        if (inits.get(i).getName().equals(s.initContainer())) {
          at = i;
        }
      }
      assertThat(at).as(s.initContainer() + " is in the template").isNotNegative();
      assertThat(inits.subList(0, at)).as(s.initContainer() + " comes before every init container of the team's")
          .allMatch(i -> seeders.contains(i.getName()));
      assertThat(record.injections()).as(s.initContainer() + " fills something")
          .anyMatch(i -> i.isSeeded() && i.container().equals(s.container()));
    }
  }

  /** Rootlock's own init container filling seeded paths: never hardened as the team's containers are. */
  private static boolean isSeeder(Container c) {
    return c.getName().startsWith("rootlock-seed-") && nonNull(c.getVolumeMounts()).stream()
        .anyMatch(m -> m.getMountPath().startsWith("/rootlock/seed/"));
  }

  /** Volume names are unique, valid DNS labels of at most 63 characters. */
  public static void assertVolumeNamesValid(PodTemplateSpec t) {
    Set<String> names = new HashSet<>();
    for (Volume v : nonNull(t.getSpec().getVolumes())) {
      assertThat(v.getName()).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
      assertThat(names.add(v.getName())).as("unique " + v.getName()).isTrue();
    }
  }

  /** Removes exactly what the record says Rootlock added; what remains must equal the input. */
  public static JsonNode withoutRootlockChanges(PodTemplateSpec hardened, RevertRecord record) {
    ObjectNode tree = (ObjectNode) tree(hardened);
    Set<String> injected = record.injections().stream().map(RevertRecord.Injection::volume).collect(Collectors.toSet());
    record.seeds().stream().map(RevertRecord.Seed::imageVolume).filter(v -> v != null).forEach(injected::add);
    ObjectNode spec = (ObjectNode) tree.get("spec");
    removeNamed(spec, "volumes", injected);
    removeNamed(spec, "initContainers",
        record.seeds().stream().map(RevertRecord.Seed::initContainer).collect(Collectors.toSet()));
    for (String list : List.of("containers", "initContainers")) {
      if (!spec.has(list)) {
        continue;
      }
      for (JsonNode c : spec.get(list)) {
        removeNamed((ObjectNode) c, "volumeMounts", injected);
        var original = c.has("name") ? record.containers().get(c.get("name").asText()) : null;
        if (original != null) {
          ObjectNode sc = (ObjectNode) c.get("securityContext");
          if (original.readOnlyRootFilesystem() == null) {
            sc.remove("readOnlyRootFilesystem");
          } else {
            sc.put("readOnlyRootFilesystem", original.readOnlyRootFilesystem());
          }
          if (original.securityContextAbsent()) {
            ((ObjectNode) c).remove("securityContext");
          }
        }
        var messagePolicy = c.has("name") ? record.messagePolicies().get(c.get("name").asText()) : null;
        if (messagePolicy != null) {
          if (messagePolicy.value() == null) {
            ((ObjectNode) c).remove("terminationMessagePolicy");
          } else {
            ((ObjectNode) c).put("terminationMessagePolicy", messagePolicy.value());
          }
        }
      }
    }
    return tree;
  }

  private static void removeNamed(ObjectNode parent, String field, Set<String> names) {
    if (!parent.has(field)) {
      return;
    }
    ArrayNode list = (ArrayNode) parent.get(field);
    for (int i = list.size() - 1; i >= 0; i--) {
      if (names.contains(list.get(i).path("name").asText())) {
        list.remove(i);
      }
    }
    if (list.isEmpty()) {
      parent.remove(field);
    }
  }

  private static <T> List<T> nonNull(List<T> l) {
    return l == null ? List.of() : l;
  }
}
