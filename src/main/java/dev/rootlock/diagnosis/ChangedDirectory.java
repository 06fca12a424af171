package dev.rootlock.diagnosis;

import dev.rootlock.diagnosis.LineSyntax.Found;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Programs that change into another directory before they write, so that a relative path they
 * print is relative to that directory and not to the container's working directory. Such a path
 * stays relative even when the working directory is known: postdrop's {@code maildrop/615227.4142}
 * is never {@code /maildrop/615227.4142}.
 */
final class ChangedDirectory {
  /** The line that names the program, and where it changed into, in words. */
  private record ChangedInto(Pattern program, String directory) {}

  private static final List<ChangedInto> PROGRAMS = List.of(
      // postfix/postdrop: mail_queue_enter: create file maildrop/615227.4142
      new ChangedInto(Pattern.compile("\\bpostdrop\\b|\\bpostfix/\\w+"),
          "postfix's queue directory (postconf -h queue_directory; /var/spool/postfix by default)"),
      // s6-supervise SERVICE: fatal: unable to mkdir event
      new ChangedInto(Pattern.compile("\\bs6-supervise\\b"), "the service directory s6-supervise runs in"));

  private ChangedDirectory() {}

  /**
   * {@code f} with the directory its program changed into as its hint, when its path is relative
   * and {@code line} names a program known to change directory; else {@code f}.
   */
  static Found relativeTo(Found f, String line) {
    if (f.path() == null || f.path().startsWith("/")) {
      return f;
    }
    return PROGRAMS.stream().filter(c -> c.program().matcher(line).find()).findFirst()
        .map(c -> new Found(f.path(), f.role(), c.directory())).orElse(f);
  }
}
