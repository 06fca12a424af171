/**
 * The ReadOnlyPolicy custom resource ({@code rootlock.dev/v1alpha1}). The CRD in {@code crds/} is
 * generated from these classes by fabric8's crd-generator; never edit the YAML by hand.
 */
package dev.rootlock.api;
