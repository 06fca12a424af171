package dev.rootlock.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rootlock.testing.Manifests;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LabelSelectorsTest {

  @ParameterizedTest(name = "{0} on {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      {}                                                              | {tier: web}            | true
      {matchLabels: {tier: web}}                                      | {tier: web, app: x}    | true
      {matchLabels: {tier: web}}                                      | {tier: api}            | false
      {matchLabels: {tier: web}}                                      | {}                     | false
      {matchExpressions: [{key: tier, operator: In, values: [web, api]}]}  | {tier: api}       | true
      {matchExpressions: [{key: tier, operator: In, values: [web]}]}  | {}                     | false
      {matchExpressions: [{key: tier, operator: NotIn, values: [web]}]} | {}                   | true
      {matchExpressions: [{key: tier, operator: NotIn, values: [web]}]} | {tier: web}          | false
      {matchExpressions: [{key: canary, operator: Exists}]}           | {canary: ''}           | true
      {matchExpressions: [{key: canary, operator: DoesNotExist}]}     | {canary: ''}           | false
      {matchLabels: {tier: web}, matchExpressions: [{key: track, operator: NotIn, values: [canary]}]} | {tier: web, track: canary} | false
      """)
  void matchesLikeKubernetes(String selector, String labels, boolean expected) {
    LabelSelector s = Manifests.parse(selector, LabelSelector.class);
    @SuppressWarnings("unchecked")
    Map<String, String> l = Manifests.parse(labels, Map.class);
    assertThat(LabelSelectors.matches(s, l)).isEqualTo(expected);
  }
}
