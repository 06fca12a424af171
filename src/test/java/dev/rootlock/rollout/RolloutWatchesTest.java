package dev.rootlock.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.testing.MockApiServer;
import dev.rootlock.testing.SettableClock;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Listing what a rollout created: one LIST per quiet period, forgotten when following ends. */
class RolloutWatchesTest {
  static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  static final Duration QUIET = Duration.ofSeconds(10);

  final MockApiServer api = new MockApiServer();
  final SettableClock clock = new SettableClock(T0);

  @AfterEach
  void tearDown() {
    api.close();
  }

  @Test
  void aListIsKeptForTheQuietPeriodThenListedAgainAndForgottenWithTheWorkload() {
    api.client().resource(pod("web-1", "web")).create();
    api.client().resource(pod("other-1", "other")).create();
    var selector = new LabelSelectorBuilder().addToMatchLabels("app", "web").build();
    try (RolloutWatches<String> watches = new RolloutWatches<>(api.client(), p -> {}, clock, QUIET)) {
      var track = api.track("fabric8-kubernetes-client"); // this test's client
      Related related = watches.looked("policy", "Deployment/shop/web", "shop");
      assertThat(related.quiet()).isEqualTo(QUIET);
      assertThat(related.list(Pod.class, selector)).extracting(p -> p.getMetadata().getName()).containsExactly("web-1");

      api.client().resource(pod("web-2", "web")).create();
      clock.set(T0.plusSeconds(9));
      assertThat(watches.looked("policy", "Deployment/shop/web", "shop").list(Pod.class, selector))
          .as("within the quiet period: the answer kept").hasSize(1);
      assertThat(lists(track)).isEqualTo(1);

      clock.set(T0.plusSeconds(10));
      assertThat(related.list(Pod.class, selector)).as("after it: listed again").hasSize(2);
      assertThat(lists(track)).isEqualTo(2);

      watches.retain("policy", java.util.Set.of());
      clock.set(T0.plusSeconds(11));
      assertThat(related.list(Pod.class, selector)).hasSize(2);
      assertThat(lists(track)).as("no longer followed: nothing kept").isEqualTo(3);
    }
  }

  /**
   * A stuck rollout (nothing in its pods changes) is listed less and less often, at most every
   * {@link RolloutWatches#MAX_KEEP_FACTOR} quiet periods; a change brings back one quiet period.
   */
  @Test
  void anUnchangedAnswerIsKeptTwiceAsLongEachTimeUpToTheCapAndAChangeResetsIt() {
    api.client().resource(pod("web-1", "web")).create();
    var selector = new LabelSelectorBuilder().addToMatchLabels("app", "web").build();
    try (RolloutWatches<String> watches = new RolloutWatches<>(api.client(), p -> {}, clock, QUIET)) {
      var track = api.track("fabric8-kubernetes-client");
      Related related = watches.looked("policy", "Deployment/shop/web", "shop");
      // Ask every second for 10 minutes and note when a LIST went out.
      java.util.List<Long> listedAt = new java.util.ArrayList<>();
      for (int s = 0; s <= 600; s++) {
        clock.set(T0.plusSeconds(s));
        long before = lists(track);
        related.list(Pod.class, selector);
        if (lists(track) > before) {
          listedAt.add((long) s);
        }
      }
      assertThat(listedAt).as("seconds at which a LIST went out").containsExactly(0L, 10L, 30L, 70L, 150L, 230L,
          310L, 390L, 470L, 550L);

      // Something changes (a pod restarts: a new resourceVersion): seen at the next LIST, and the
      // answer after it is kept one quiet period again.
      api.client().pods().inNamespace("shop").withName("web-1").edit(p -> new PodBuilder(p)
          .editMetadata().addToAnnotations("restarted", "1").endMetadata().build());
      clock.set(T0.plusSeconds(630));
      assertThat(related.list(Pod.class, selector).get(0).getMetadata().getAnnotations())
          .as("the changed pod, at the cap's next LIST").containsKey("restarted");
      long after = lists(track);
      clock.set(T0.plusSeconds(639));
      related.list(Pod.class, selector);
      assertThat(lists(track)).isEqualTo(after);
      clock.set(T0.plusSeconds(640));
      related.list(Pod.class, selector);
      assertThat(lists(track)).as("one quiet period after a changed answer").isEqualTo(after + 1);
    }
  }

  @Test
  void aFailedListAnswersUnknown() {
    var config = new io.fabric8.kubernetes.client.ConfigBuilder(api.client().getConfiguration())
        .withUserAgent(dev.rootlock.operator.RootlockOperator.USER_AGENT).build();
    try (var operator = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config).build();
        RolloutWatches<String> watches = new RolloutWatches<>(operator, p -> {}, clock, QUIET)) {
      api.injectFaults(r -> MockApiServer.Fault.FORBIDDEN);
      assertThat(watches.looked("policy", "Deployment/shop/web", "shop").list(Pod.class, null)).isNull();
    }
  }

  private static long lists(java.util.Collection<MockApiServer.Exchange> track) {
    return track.stream().filter(e -> e.method().equals("GET")).count();
  }

  private static Pod pod(String name, String app) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace("shop").addToLabels("app", app)
        .endMetadata().build();
  }
}
