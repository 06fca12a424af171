package dev.rootlock.testing;

/**
 * A kubeconfig that authenticates with a bearer token only, as a ServiceAccount's pod does: what
 * the end-to-end suites run the operator with, so it may do exactly what its RBAC allows.
 */
public final class TokenKubeconfig {
  private TokenKubeconfig() {}

  /**
   * @param server the API server's URL
   * @param caData the cluster's CA certificate, base64 (kubeconfig's certificate-authority-data)
   * @param token the bearer token (a TokenRequest's)
   * @param namespace the context's default namespace
   * @return the kubeconfig as YAML, user and context named {@code rootlock-operator}
   */
  public static String of(String server, String caData, String token, String namespace) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: e2e
          cluster: {server: "%s", certificate-authority-data: "%s"}
        users:
        - name: rootlock-operator
          user: {token: "%s"}
        contexts:
        - name: rootlock-operator
          context: {cluster: e2e, user: rootlock-operator, namespace: %s}
        current-context: rootlock-operator
        """.formatted(server, caData, token, namespace);
  }
}
