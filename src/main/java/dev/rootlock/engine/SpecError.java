package dev.rootlock.engine;

/** A problem with a policy spec, naming the field as a user would write it in YAML. */
public record SpecError(String field, String message) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
