package dev.rootlock;

import dev.rootlock.cli.PlanCommand;
import dev.rootlock.cli.ProbeCommand;
import dev.rootlock.cli.RunCommand;
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
    System.exit(commandLine().execute(defaultToRun(args)));
  }

  public static CommandLine commandLine() {
    return commandLine(System.in, System.out, System.err);
  }

  /** The command line with the given streams, so the commands can be run in-process (tests). */
  public static CommandLine commandLine(InputStream in, PrintStream out, PrintStream err) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    return new CommandLine(new Rootlock(), new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        if (type == PlanCommand.class) {
          return type.cast(new PlanCommand(in, out, err));
        }
        return type == ProbeCommand.class ? type.cast(new ProbeCommand(out, err)) : defaults.create(type);
      }
    });
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
