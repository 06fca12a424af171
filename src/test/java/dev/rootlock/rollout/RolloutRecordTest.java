package dev.rootlock.rollout;

import static dev.rootlock.testing.Fixtures.web;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutRecordTest {
  @Test
  void roundTripsThroughItsAnnotation() {
    RolloutRecord r = RolloutRecord.EMPTY.started(4, Instant.parse("2026-11-26T10:00:00Z"), 2, List.of("/var/run/app"))
        .rolledBack(new RolloutRecord.RolledBack("web", 3L, 5L, "abc", "rollout failed: x"));
    assertThat(RolloutRecord.parse(r.toJson())).isEqualTo(r);
    assertThat(r.toJson()).doesNotContain("empty").doesNotContain("startedAt");
    assertThat(r.follows(4L)).as("a rolled-back record follows nothing").isFalse();
    RolloutRecord following = RolloutRecord.EMPTY.started(4, Instant.parse("2026-11-26T10:00:00Z"), 0, List.of());
    assertThat(following.follows(4L)).isTrue();
    assertThat(following.follows(5L)).as("someone else's later change is theirs").isFalse();
    assertThat(following.startedAt()).isEqualTo(Instant.parse("2026-11-26T10:00:00Z"));
  }

  @Test
  void seededLearnedPathsRoundTripAndSurviveEveryNextRecord() {
    RolloutRecord r = RolloutRecord.EMPTY.started(4, Instant.parse("2026-11-26T10:00:00Z"), 1, List.of("/var/run/app"))
        .withSeeded(List.of("/etc/nginx/conf.d"));
    assertThat(r.learned()).containsExactly("/var/run/app", "/etc/nginx/conf.d");
    assertThat(r.seeded()).containsExactly("/etc/nginx/conf.d");
    assertThat(r.toJson()).contains("\"seeded\":[\"/etc/nginx/conf.d\"]");
    assertThat(RolloutRecord.parse(r.toJson())).isEqualTo(r);
    assertThat(r.started(5, Instant.parse("2026-11-26T11:00:00Z"), 2, r.learned()).seeded())
        .containsExactly("/etc/nginx/conf.d");
    assertThat(r.rolledBack(new RolloutRecord.RolledBack("web", 3L, 5L, "abc", "x")).seeded())
        .containsExactly("/etc/nginx/conf.d");
    assertThat(r.corrected(List.of(), Instant.parse("2026-11-26T12:00:00Z"), 1).seeded())
        .containsExactly("/etc/nginx/conf.d");
    assertThat(RolloutRecord.EMPTY.toJson()).as("no seeded key while there is none").doesNotContain("seeded");
    assertThat(RolloutRecord.parse("{\"learned\":[\"/var/run/app\"]}").seeded())
        .as("a record written before seeded paths reads as none seeded").isEmpty();
  }

  @Test
  void aRollbackHoldsUntilTheSpecOrTheTemplateChanges() {
    var t = web("web").getSpec().getTemplate();
    var rb = new RolloutRecord.RolledBack("web", 3L, 5L, RolloutRecord.digest(t), "m");
    assertThat(rb.holds("web", 3, 5L, t)).isTrue();
    assertThat(rb.holds("web", 3, 6L, t)).as("scaled: generation moved, template did not").isTrue();
    var edited = new PodTemplateSpecBuilder(t).build();
    edited.getSpec().getContainers().get(0).setImage("nginx:2");
    assertThat(rb.holds("web", 3, 5L, edited)).as("same generation: the digest differs only in form").isTrue();
    assertThat(rb.holds("web", 3, 6L, edited)).as("the template changed").isFalse();
    assertThat(rb.holds("web", 4, 5L, t)).as("the policy spec changed").isFalse();
    assertThat(rb.holds("other", 3, 5L, t)).as("another policy's rollback").isFalse();
  }

  @Test
  void aDamagedRecordReadsAsEmpty() {
    assertThat(RolloutRecord.parse("{not json")).isEqualTo(RolloutRecord.EMPTY);
    assertThat(RolloutRecord.parse(null)).isEqualTo(RolloutRecord.EMPTY);
    assertThat(RolloutRecord.parse("{\"generation\":2,\"started\":\"yesterday\"}").startedAt()).isNull();
  }

  @Test
  void theTemplateDigestIgnoresKeyOrderButNotContent() {
    var t = web("web").getSpec().getTemplate();
    var same = new PodTemplateSpecBuilder(t).build();
    assertThat(RolloutRecord.digest(same)).isEqualTo(RolloutRecord.digest(t)).hasSize(24);
    same.getSpec().getContainers().get(0).setImage("nginx:2");
    assertThat(RolloutRecord.digest(same)).isNotEqualTo(RolloutRecord.digest(t));
  }
}
