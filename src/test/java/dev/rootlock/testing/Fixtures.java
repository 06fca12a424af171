package dev.rootlock.testing;

import dev.rootlock.api.ReadOnlyPolicy;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/** Small builders for Deployments and policies written as YAML, as a user would. */
public final class Fixtures {
  public static final String NS = "shop";

  private Fixtures() {}

  public static Deployment deployment(String name, String labels, String podSpec) {
    Deployment d = Manifests.parse("""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: %s
          namespace: %s
          labels: %s
        spec:
          replicas: 1
          selector: {matchLabels: {app: %s}}
          template:
            metadata: {labels: {app: %s}}
        """.formatted(name, NS, labels, name, name), Deployment.class);
    d.getSpec().getTemplate().setSpec(Manifests.parse(podSpec, PodSpec.class));
    return d;
  }

  /** A web Deployment labelled tier=web with a single nginx container and nothing hardened. */
  public static Deployment web(String name) {
    return deployment(name, "{tier: web}", "{containers: [{name: app, image: nginx}]}");
  }

  public static ReadOnlyPolicy policy(String name, String specYaml) {
    return Manifests.parse("""
        apiVersion: rootlock.dev/v1alpha1
        kind: ReadOnlyPolicy
        metadata: {name: %s, namespace: %s}
        spec: %s
        """.formatted(name, NS, specYaml), ReadOnlyPolicy.class);
  }
}
