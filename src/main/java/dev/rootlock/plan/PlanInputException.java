package dev.rootlock.plan;

/** Bad input for {@code plan}: reported as {@code file:line: reason}, exit code 2, no stack trace. */
public final class PlanInputException extends Exception {
  public PlanInputException(String source, int line, String reason) {
    super(line > 0 ? source + ":" + line + ": " + reason : source + ": " + reason);
  }
}
