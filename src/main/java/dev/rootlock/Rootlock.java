package dev.rootlock;

import dev.rootlock.cli.HelpStyle;
import dev.rootlock.cli.PlanCommand;
import dev.rootlock.cli.ProbeCommand;
import dev.rootlock.cli.RunCommand;
import dev.rootlock.plan.Spelling;
import java.io.InputStream;
import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code run} (the default), {@code plan}, {@code probe}, and {@code --help}. */
@Command(name = "rootlock", mixinStandardHelpOptions = true, version = "rootlock 0.1.0",
    description = "Gives selected workloads (Deployments, StatefulSets, DaemonSets, CronJobs) a read-only root filesystem with writable memory-backed paths.",
    subcommands = {RunCommand.class, PlanCommand.class, ProbeCommand.class})
public final class Rootlock {
  private Rootlock() {}

  public static void main(String[] args) {
    System.exit(execute(args, System.err));
  }

  /** What {@code main} does, without exiting: the exit code. */
  static int execute(String[] args, PrintStream err) {
    String unknown = unknownCommand(args);
    if (unknown != null) {
      err.println("rootlock: " + unknown);
      return 2;
    }
    return commandLine().execute(defaultToRun(args));
  }

  /**
   * A first word that is neither an option nor a command is a mistyped command: {@code run} takes
   * no such word, so it would only print its own usage. Null when the arguments are fine.
   */
  static String unknownCommand(String[] args) {
    if (args.length == 0 || args[0].startsWith("-")) {
      return null;
    }
    var commands = commandLine().getSubcommands().keySet();
    if (commands.contains(args[0])) {
      return null;
    }
    return "unknown command '" + args[0] + "'" + Spelling.closest(args[0], commands)
        .map(c -> "; did you mean '" + c + "'?").orElse("") + " (commands: " + String.join(", ", commands)
        + "; rootlock --help lists them)";
  }

  public static CommandLine commandLine() {
    return commandLine(System.in, System.out, System.err);
  }

  /** The command line with the given streams, so the commands can be run in-process (tests). */
  public static CommandLine commandLine(InputStream in, PrintStream out, PrintStream err) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine cli = new CommandLine(new Rootlock(), new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        if (type == PlanCommand.class) {
          return type.cast(new PlanCommand(in, out, err));
        }
        return type == ProbeCommand.class ? type.cast(new ProbeCommand(out, err)) : defaults.create(type);
      }
    });
    HelpStyle.apply(cli);
    return cli;
  }

  /** No subcommand means {@code run}: {@code java -jar rootlock-operator.jar --resync 5m} just works. */
  static String[] defaultToRun(String[] args) {
    boolean topLevelOnly = args.length > 0 && (args[0].equals("--help") || args[0].equals("-h")
        || args[0].equals("--version") || args[0].equals("-V"));
    boolean hasSubcommand = args.length > 0 && commandLine().getSubcommands().containsKey(args[0]);
    if (topLevelOnly || hasSubcommand) {
      return args;
    }
    String[] withRun = new String[args.length + 1];
    withRun[0] = "run";
    System.arraycopy(args, 0, withRun, 1, args.length);
    return withRun;
  }
}
