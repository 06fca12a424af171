package dev.rootlock.testing;

import dev.rootlock.Rootlock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs {@code rootlock ARGS} in-process, as the jar's main would, and captures what a user sees. */
public record CliRun(int exitCode, String stdout, String stderr) {

  public static CliRun withStdin(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    CommandLine cli = Rootlock.commandLine(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), o, e);
    cli.setOut(new java.io.PrintWriter(o, true));
    cli.setErr(new java.io.PrintWriter(e, true));
    int code = cli.execute(args);
    return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  public static CliRun of(String... args) {
    return withStdin("", args);
  }

  /** {@code plan --policy POLICY REST...} */
  public static CliRun plan(java.nio.file.Path policy, String... rest) {
    String[] args = new String[rest.length + 3];
    args[0] = "plan";
    args[1] = "--policy";
    args[2] = policy.toString();
    System.arraycopy(rest, 0, args, 3, rest.length);
    return of(args);
  }
}
