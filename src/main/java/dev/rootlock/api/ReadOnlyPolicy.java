package dev.rootlock.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A namespaced policy that gives the workloads it selects (Deployments, StatefulSets, DaemonSets,
 * CronJobs) a read-only root filesystem.
 */
@Group(ReadOnlyPolicy.GROUP)
@Version(ReadOnlyPolicy.VERSION)
@Kind("ReadOnlyPolicy")
@Plural("readonlypolicies")
@Singular("readonlypolicy")
@ShortNames("rop")
@AdditionalPrinterColumn(name = "Mode", jsonPath = ".spec.mode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Matched", jsonPath = ".status.matched", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Compliant", jsonPath = ".status.compliant", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Kinds", jsonPath = ".status.kinds", type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Rolled Back", jsonPath = ".status.rolledBack", type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Warnings", jsonPath = ".status.warnings", type = AdditionalPrinterColumn.Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ReadOnlyPolicy extends CustomResource<ReadOnlyPolicySpec, ReadOnlyPolicyStatus> implements Namespaced {
  public static final String GROUP = "rootlock.dev";
  public static final String VERSION = "v1alpha1";

  @Override
  protected ReadOnlyPolicySpec initSpec() {
    return new ReadOnlyPolicySpec();
  }
}
