package dev.rootlock.operator;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;

/**
 * Adds {@code fieldManager=rootlock} to every write this client sends. Rootlock's own patches set
 * it explicitly; this also covers the framework's finalizer and status writes, so that
 * managedFields (and GitOps tools reading them) attribute every Rootlock change to one manager.
 */
final class FieldManagerInterceptor implements Interceptor {
  static final String NAME = "rootlock-field-manager";
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH");

  private final String manager;

  FieldManagerInterceptor(String manager) {
    this.manager = manager;
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    URI uri = request.uri();
    String query = uri.getRawQuery();
    if (!WRITES.contains(request.method()) || (query != null && query.contains("fieldManager="))) {
      return;
    }
    String added = "fieldManager=" + HttpRequest.formURLEncode(manager);
    try {
      builder.uri(new URI(uri.getScheme(), uri.getRawAuthority(), uri.getRawPath(),
          query == null ? added : query + "&" + added, uri.getRawFragment()));
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot add the field manager to " + uri, e);
    }
  }
}
