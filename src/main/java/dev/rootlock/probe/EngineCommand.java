package dev.rootlock.probe;

import dev.rootlock.probe.ContainerEngine.EngineException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One engine command line run as a process: with a timeout, nothing on its stdin, its stdout and
 * stderr read together (as a user sees them) or apart (where stdout is data: JSON, a tar stream).
 */
final class EngineCommand {
  private final String executable;
  private final List<String> globalArgs;
  private final String name;

  /**
   * @param name "docker" or "podman", as messages name it
   * @param globalArgs flags placed before the subcommand
   */
  EngineCommand(String executable, List<String> globalArgs, String name) {
    this.executable = executable;
    this.globalArgs = List.copyOf(globalArgs);
    this.name = name;
  }

  /** @param errors stderr when read apart from stdout, else "" (it is in {@code output}) */
  record Result(int exitCode, String output, String errors) {}

  /** What a reader made of a command's stdout, and how the command ended. */
  record Streamed<T>(T value, int exitCode, String errors) {}

  /** Reads a command's stdout as it comes; may stop before its end. */
  @FunctionalInterface
  interface StdoutReader<T> {
    T read(InputStream stdout) throws IOException;
  }

  /** Runs the command; its output with stderr merged in, or thrown as a failure when it exits non-zero. */
  String call(List<String> args, Duration timeout) {
    Result r = run(args, timeout, false);
    if (r.exitCode != 0) {
      throw failed(args, r.exitCode, r.output);
    }
    return r.output;
  }

  /**
   * The command's stdout alone; its stderr is kept apart: Podman warns there while answering (a
   * learned path that is a symlink in the image, such as Debian's /var/run, gives "Could not find
   * mount at destination"), and a warning is not part of the data.
   */
  String stdout(List<String> args, Duration timeout) {
    Result r = run(args, timeout, true);
    if (r.exitCode != 0) {
      throw failed(args, r.exitCode, r.output + "\n" + r.errors);
    }
    return r.output;
  }

  EngineException failed(List<String> args, int exitCode, String said) {
    String out = said.strip();
    return new EngineException(describe(args) + " failed (exit " + exitCode + ")"
        + (out.isEmpty() ? "" : ": " + lastLines(out, 3)));
  }

  Result run(List<String> args, Duration timeout, boolean stderrApart) {
    Process p = start(args, stderrApart);
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> errors = stderrApart ? CompletableFuture.supplyAsync(() -> read(p.getErrorStream()))
        : CompletableFuture.completedFuture("");
    int exit = waitFor(p, args, timeout);
    return new Result(exit, get(output, args), get(errors, args));
  }

  /**
   * Hands the command's stdout to {@code reader} as it comes, stderr read apart. When the reader
   * stops before the end, the pipe is closed and the command fails writing the rest (its exit
   * code then says so; the caller knows from the value whether that matters).
   *
   * @throws EngineException when the reader fails (a stream that is not what was expected) or the
   *     command outlasts {@code timeout}
   */
  <T> Streamed<T> stream(List<String> args, Duration timeout, StdoutReader<T> reader) {
    Process p = start(args, true);
    CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    AtomicBoolean timedOut = new AtomicBoolean();
    CompletableFuture<Void> watchdog = CompletableFuture.runAsync(() -> {},
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS)).thenRun(() -> {
          timedOut.set(true);
          p.destroyForcibly();
        });
    T value;
    try (InputStream stdout = p.getInputStream()) {
      value = reader.read(stdout);
    } catch (IOException e) {
      p.destroyForcibly();
      if (timedOut.get()) {
        throw new EngineException(describe(args) + " did not finish within " + timeout.toSeconds() + " s");
      }
      String said = get(errors, args).strip();
      throw new EngineException(describe(args) + ": unexpected output (" + e.getMessage() + ")"
          + (said.isEmpty() ? "" : ": " + lastLines(said, 3)));
    } finally {
      watchdog.cancel(false);
    }
    if (timedOut.get()) {
      throw new EngineException(describe(args) + " did not finish within " + timeout.toSeconds() + " s");
    }
    // a reader that stopped early has closed the pipe: the command fails writing the rest and ends
    int exit = waitFor(p, args, timeout);
    return new Streamed<>(value, exit, get(errors, args));
  }

  private Process start(List<String> args, boolean stderrApart) {
    List<String> command = new ArrayList<>();
    command.add(executable);
    command.addAll(globalArgs);
    command.addAll(args);
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(!stderrApart).start();
    } catch (IOException e) {
      throw new EngineException("cannot start " + executable + ": " + e.getMessage());
    }
    try {
      p.getOutputStream().close(); // nothing to say to it: commands that read stdin see EOF
    } catch (IOException ignored) {
      // the process has already gone; its exit code says why
    }
    return p;
  }

  private int waitFor(Process p, List<String> args, Duration timeout) {
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new EngineException(describe(args) + " did not finish within " + timeout.toSeconds() + " s");
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new EngineException(describe(args) + " was interrupted");
    }
  }

  private String get(CompletableFuture<String> text, List<String> args) {
    try {
      return text.get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EngineException(describe(args) + " was interrupted");
    } catch (ExecutionException | TimeoutException e) {
      throw new EngineException(describe(args) + ": cannot read its output: " + e.getMessage());
    }
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** The command as messages show it: the engine and its first four arguments. */
  String describe(List<String> args) {
    return name + " " + String.join(" ", args.size() > 4 ? args.subList(0, 4) : args)
        + (args.size() > 4 ? " ..." : "");
  }

  /** The last {@code n} lines of {@code text}, joined with " | ". */
  static String lastLines(String text, int n) {
    List<String> lines = text.strip().lines().toList();
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
  }
}
