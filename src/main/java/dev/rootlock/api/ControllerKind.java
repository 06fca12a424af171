package dev.rootlock.api;

/**
 * The pod controllers a policy can select ({@code spec.kinds}); the names are Kubernetes kind names
 * and part of the API.
 */
public enum ControllerKind {
  Deployment,
  StatefulSet,
  DaemonSet,
  CronJob
}
