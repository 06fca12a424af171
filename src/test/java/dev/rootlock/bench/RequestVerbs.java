package dev.rootlock.bench;

import dev.rootlock.testing.MockApiServer.Exchange;
import java.util.List;

/** What one request to the API server was, in the words the benchmarks count: "list", "patch deployment", ... */
final class RequestVerbs {
  /** The kinds Rootlock writes, by the plural in the request path. */
  private static final List<String> WORKLOADS = List.of("deployments", "statefulsets", "daemonsets", "cronjobs");

  private RequestVerbs() {}

  static String verb(Exchange e) {
    if (e.path().contains("/customresourcedefinitions/")) {
      return "get report crd"; // --reports auto asks whether a report API is installed
    }
    String path = e.path().replaceAll("\\?.*", "");
    return switch (e.method()) {
      case "GET" -> e.path().contains("watch=true") ? "watch" : path.matches(".*/[^/]+/[^/]+$")
          && !path.matches(".*/namespaces/[^/]+/[a-z]+$") && !path.matches("^/apis?/.*/v1[a-z0-9]*/[a-z]+$")
          ? "get" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> path.endsWith("/status") ? "patch status" : workload(path) != null
          ? "patch " + workload(path) : "patch policy";
      default -> e.method().toLowerCase();
    };
  }

  /** "deployment" for a request to a Deployment (any kind Rootlock writes), else null. */
  static String workload(String path) {
    for (String plural : WORKLOADS) {
      if (path.contains("/" + plural + "/")) {
        return plural.substring(0, plural.length() - 1);
      }
    }
    return null;
  }

  /** Successful writes to workloads of any kind among {@code exchanges}. */
  static long workloadWrites(List<Exchange> exchanges) {
    return exchanges.stream().filter(e -> e.method().equals("PATCH") && e.status() < 300)
        .filter(e -> !e.path().replaceAll("\\?.*", "").endsWith("/status") && workload(e.path()) != null).count();
  }
}
