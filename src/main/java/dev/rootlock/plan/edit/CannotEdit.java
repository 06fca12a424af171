package dev.rootlock.plan.edit;

/** The change cannot be made as a minimal edit of the text; the message says why. */
public final class CannotEdit extends Exception {
  public CannotEdit(String message) {
    super(message);
  }
}
