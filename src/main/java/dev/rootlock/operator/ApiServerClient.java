package dev.rootlock.operator;

import dev.rootlock.api.Annotations;
import dev.rootlock.api.SeedMethod;
import dev.rootlock.engine.SeedPlatform;
import dev.rootlock.metrics.RootlockMetrics;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Rootlock's client for an API server, and what it reads of the server once before starting. */
final class ApiServerClient {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServerClient.class);

  private ApiServerClient() {}

  /**
   * A client for {@code config} whose every write carries the {@code rootlock} field manager and
   * whose every request but watches is timed into {@code metrics} ({@link RequestTimer}).
   */
  static KubernetesClient build(Config config, RootlockMetrics metrics) {
    Config own = new ConfigBuilder(config).withUserAgent(RootlockOperator.USER_AGENT).build();
    return new KubernetesClientBuilder()
        .withConfig(own)
        .withHttpClientBuilderConsumer(b -> b
            .addOrReplaceInterceptor(FieldManagerInterceptor.NAME,
                new FieldManagerInterceptor(Annotations.FIELD_MANAGER))
            .addOrReplaceInterceptor(RequestTimer.NAME, new RequestTimer(metrics)))
        .build();
  }

  /**
   * Whether this API server serves image volumes (from its {@code /version}, which every
   * authenticated user may read), for {@code spec.seed.method: Auto}. A server that does not say
   * counts as one without them: Copy works everywhere.
   */
  static SeedPlatform seedPlatform(KubernetesClient client, String seedImage) {
    try {
      VersionInfo v = client.getKubernetesVersion();
      SeedPlatform p = SeedPlatform.forServer(v.getMajor(), v.getMinor(), seedImage);
      LOG.info("API server {}.{}: seed.method Auto means {}", v.getMajor(), v.getMinor(),
          p.resolve(SeedMethod.Auto));
      return p;
    } catch (KubernetesClientException e) {
      LOG.info("API server version unknown ({}): seed.method Auto means Copy", e.getMessage());
      return new SeedPlatform(false, seedImage);
    }
  }
}
