package dev.rootlock.admission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rootlock.engine.JsonPatches;
import dev.rootlock.workload.Workload;
import dev.rootlock.workload.WorkloadKind;
import dev.rootlock.workload.WorkloadKinds;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an AdmissionReview request for a workload and answers with what {@link AdmissionHardening} decides:
 * always allowed, with a JSONPatch when hardening changes the object. CREATE and UPDATE of the
 * kinds Rootlock hardens; everything else is allowed unchanged. A dry run gets the same patch as
 * a real request: deciding has no side effects.
 */
public final class WorkloadReviewer implements AdmissionServer.Reviewer {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadReviewer.class);
  private final AdmissionHardening admission;

  public WorkloadReviewer(AdmissionHardening admission) {
    this.admission = admission;
  }

  @Override
  public JsonNode review(JsonNode request) {
    String operation = request.path("operation").asText();
    JsonNode k = request.path("kind");
    String group = k.path("group").asText();
    String apiVersion = group.isEmpty() ? k.path("version").asText() : group + "/" + k.path("version").asText();
    Optional<WorkloadKind<?>> kind = WorkloadKinds.of(apiVersion, k.path("kind").asText())
        .filter(WorkloadKind::isHardened);
    if (kind.isEmpty() || !(operation.equals("CREATE") || operation.equals("UPDATE"))
        || !request.path("object").isObject()) {
      return Responses.allow(request, null);
    }
    Workload w = workload(kind.get(), request.get("object"), request.path("namespace").asText());
    JsonNode old = operation.equals("UPDATE") && request.path("oldObject").isObject() ? request.get("oldObject")
        : null;
    AdmissionHardening.Mutation d = admission.decide(w, request.get("object"), old);
    LOG.debug("review kind={} namespace={} name={} operation={} dryRun={} decision=\"{}\"", kind.get(), w.namespace(),
        w.name(), operation, request.path("dryRun").asBoolean(false), d.why());
    return Responses.allow(request, d.patch());
  }

  private static Workload workload(WorkloadKind<?> kind, JsonNode object, String namespace) {
    HasMetadata o = JsonPatches.SERIALIZATION.convertValue(object, kind.type());
    if (o.getMetadata() != null && (o.getMetadata().getNamespace() == null || o.getMetadata().getNamespace()
        .isEmpty()) && !namespace.isEmpty()) {
      o.getMetadata().setNamespace(namespace); // a CREATE may leave it to the request's namespace
    }
    return new Workload(kind, o);
  }
}
