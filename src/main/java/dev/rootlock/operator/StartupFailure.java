package dev.rootlock.operator;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Why the operator could not start, in one line that names the real cause and the fix: a local
 * port in use is not the API server's fault, a missing CRD is not a connection problem. Reads the
 * whole cause chain, since JOSDK and fabric8 wrap the interesting exception several times.
 */
public final class StartupFailure extends RuntimeException {
  private static final Pattern REQUEST = Pattern.compile("Failure executing: (\\w+) at: (\\S+?)\\.? ");

  private StartupFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /** A port this process must listen on is taken. */
  static StartupFailure portInUse(String option, int port, Throwable cause) {
    return new StartupFailure("cannot start: port " + port + " (" + option + ") is already in use (" + describe(root(cause))
        + "); stop what listens there (another Rootlock?) or choose another port with " + option
        + " (0 picks a free port)", cause);
  }

  /** A failure already explained in words that name its cause and fix. */
  static StartupFailure of(String message, Throwable cause) {
    return new StartupFailure(message.startsWith("cannot start") ? message : "cannot start: " + message, cause);
  }

  /** A port this process must listen on cannot be opened for another reason. */
  static StartupFailure cannotListen(String option, int port, Throwable cause) {
    return new StartupFailure("cannot start: cannot listen on port " + port + " (" + option + "): "
        + describe(root(cause)) + "; choose another port with " + option, cause);
  }

  /** The failure to start against {@code masterUrl}, explained. */
  public static String explain(Throwable failure, String masterUrl) {
    if (failure instanceof StartupFailure s) {
      return s.getMessage();
    }
    for (Throwable t : chain(failure)) {
      if (t instanceof StartupFailure s) {
        return s.getMessage();
      }
      if (t instanceof BindException) {
        return "cannot start: a local port is already in use (" + describe(t) + "); check --http-port";
      }
      if (t instanceof KubernetesClientException k && k.getCode() > 0) {
        return api(k, masterUrl);
      }
      if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException
          || t instanceof HttpConnectTimeoutException || t instanceof SSLException) {
        return "cannot start: cannot reach the Kubernetes API at " + masterUrl + " (" + describe(t) + "); check the "
            + "kubeconfig context (kubectl config current-context, KUBECONFIG) and that the API server is up";
      }
    }
    return "cannot start against the Kubernetes API at " + masterUrl + ": " + describe(root(failure));
  }

  /** An answer the API server gave: what was refused, and what to do about it. */
  private static String api(KubernetesClientException k, String masterUrl) {
    String message = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage()
        : k.getMessage();
    Matcher m = REQUEST.matcher(String.valueOf(k.getMessage()));
    String request = m.find() ? m.group(1) + " " + m.group(2) : "a request";
    return switch (k.getCode()) {
      case 404 -> request.contains("readonlypolicies") || request.contains("rootlock.dev")
          ? "cannot start: the ReadOnlyPolicy CRD is not installed in the cluster at " + masterUrl + " (" + request
              + " answered 404 Not Found); install it with kubectl apply -k crds/ (or kubectl apply -k deploy/)"
          : "cannot start: the Kubernetes API at " + masterUrl + " does not serve " + request + " (404: "
              + message + "); Rootlock needs Kubernetes 1.21 or later";
      case 401 -> "cannot start: the Kubernetes API at " + masterUrl + " refused the credentials (401: " + message
          + "); check the kubeconfig user or the service account token";
      case 403 -> "cannot start: Rootlock is not allowed to " + request + " (403 Forbidden: " + message + "); "
          + "apply its RBAC (kubectl apply -k deploy/, see docs/install.md) or run with an identity that has it";
      default -> "cannot start: the Kubernetes API at " + masterUrl + " answered " + request + " with HTTP "
          + k.getCode() + ": " + message;
    };
  }

  private static List<Throwable> chain(Throwable t) {
    List<Throwable> out = new ArrayList<>();
    for (Throwable c = t; c != null && !out.contains(c); c = c.getCause()) {
      out.add(c);
      for (Throwable s : c.getSuppressed()) {
        out.addAll(chain(s));
      }
    }
    return out;
  }

  private static Throwable root(Throwable t) {
    List<Throwable> all = chain(t);
    return all.isEmpty() ? t : all.get(all.size() - 1);
  }

  private static String describe(Throwable t) {
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }
}
