package dev.rootlock.api;

/** Enforce writes the hardening; Audit only computes and reports it. */
public enum Mode {
  Enforce,
  Audit
}
