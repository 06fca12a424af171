package dev.rootlock.diagnosis;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How bad one log line says it is, read from the line itself: a structured level field
 * ({@code level=error}, {@code lvl=eror}, {@code "level":"warn"}), a bracketed or labelled level
 * ({@code [emerg]}, {@code FATAL:}, {@code info:}, MySQL's {@code [Note]}), a klog prefix
 * ({@code E1129}), or an exception or error class ({@code OSError:}, {@code java.io.IOException}).
 * The first of these in the line wins, because log prefixes come first and the message after
 * them may quote other words. Ordered from most to least severe.
 */
public enum Severity {
  /** emerg, alert, crit, fatal, panic, error, an exception: the program gave up here. */
  FATAL,
  /** No level word at all, as shells and coreutils print their failures. */
  UNLABELED,
  WARNING,
  /** info, notice, debug: a step that was skipped, not the failure. */
  INFO;

  private static final Map<String, Severity> WORDS = Map.ofEntries(
      Map.entry("emerg", FATAL), Map.entry("emergency", FATAL), Map.entry("alert", FATAL),
      Map.entry("crit", FATAL), Map.entry("critical", FATAL), Map.entry("fatal", FATAL),
      Map.entry("panic", FATAL), Map.entry("severe", FATAL), Map.entry("error", FATAL),
      Map.entry("err", FATAL), Map.entry("eror", FATAL), Map.entry("fail", FATAL),
      Map.entry("warn", WARNING), Map.entry("warning", WARNING), Map.entry("wrn", WARNING),
      Map.entry("info", INFO), Map.entry("inf", INFO), Map.entry("notice", INFO), Map.entry("note", INFO),
      Map.entry("debug", INFO), Map.entry("dbg", INFO), Map.entry("trace", INFO));

  /** Each alternative captures a level word in group "w", or names an exception class ("x"). */
  private static final Pattern LEVEL = Pattern.compile(
      // an exception class comes first: "OSError:" must not be read as a level word "OSError"
      "(?<x>\\b[A-Z][A-Za-z0-9_.$]*(?:Exception|Error)\\b|\\bError:|^Error\\b|\\bUncaught\\b|^Traceback\\b)"
          + "|(?i:\\b(?:level|lvl|severity)\\s*[=:]\\s*\"?(?<w>[a-z]+))"
          + "|\\[(?<b>[A-Za-z]+)\\]"
          + "|(?:^|[\\s|:])(?<l>[A-Za-z]+):(?=\\s|$)"
          + "|^(?<k>[EWIF])\\d{4} "
          + "|(?:^|\\s)(?<u>ERROR|FATAL|PANIC|WARN|WARNING|INFO|NOTICE|DEBUG|CRITICAL|SEVERE)(?=[\\s:]|$)");

  /** The severity the line states, or {@link #UNLABELED} when it states none. */
  public static Severity of(String line) {
    Matcher m = LEVEL.matcher(line);
    while (m.find()) {
      if (m.group("x") != null) {
        return FATAL;
      }
      if (m.group("k") != null) {
        return switch (m.group("k")) {
          case "E", "F" -> FATAL;
          case "W" -> WARNING;
          default -> INFO;
        };
      }
      String word = firstNonNull(m.group("w"), m.group("b"), m.group("l"), m.group("u"));
      Severity s = WORDS.get(word.toLowerCase(Locale.ROOT));
      if (s != null) {
        return s;
      }
    }
    return UNLABELED;
  }

  private static String firstNonNull(String... s) {
    for (String x : s) {
      if (x != null) {
        return x;
      }
    }
    return "";
  }
}
