package dev.rootlock.diagnosis;

import java.util.regex.Pattern;

/**
 * What a path looks like once a program has printed it: quoting leftovers and trailing
 * punctuation around it, an ellipsis where a log cut it short, a file name with an extension.
 */
final class PrintedPath {
  private static final Pattern RELATIVE_PATH = Pattern.compile("[\\w.+@~-]+(?:/[\\w.+@~-]*)*");
  private static final Pattern EXTENSION = Pattern.compile(".+\\.[A-Za-z][A-Za-z0-9]{0,7}$");

  private PrintedPath() {}

  /**
   * The path without quoting leftovers and trailing punctuation; a path cut short with an
   * ellipsis ("/var/cache/ngi…") keeps only its complete directories. Null when nothing is left.
   */
  static String clean(String raw) {
    String p = raw;
    int cut = indexOfEllipsis(p);
    if (cut >= 0) {
      p = p.substring(0, cut);
      int slash = p.lastIndexOf('/');
      p = slash < 0 ? "" : p.substring(0, slash + 1);
    }
    p = p.replaceAll("[.,;:)\\]}'\"’`]+$", "");
    if (p.isEmpty() || p.contains("://")) {
      return null;
    }
    return p;
  }

  /** True when {@code p} was cut short with "…" or "...". */
  static boolean isCutShort(String p) {
    return indexOfEllipsis(p) >= 0;
  }

  private static int indexOfEllipsis(String p) {
    int unicode = p.indexOf('…');
    int dots = p.indexOf("...");
    return unicode < 0 ? dots : dots < 0 ? unicode : Math.min(unicode, dots);
  }

  /**
   * True when a quoted token is a path and not some other quoted word: absolute, or relative
   * with a slash or a file extension. A leading "//" is a directory "/" joined with "/name"
   * (rsyslog's '//rsyslog.log', opkg's //usr/lib/...), unless it looks like a protocol-relative
   * URL ("//host.example/x": a dotted first segment with more after it).
   */
  static boolean looksLikePath(String p) {
    if (p == null || p.contains("://")) {
      return false;
    }
    if (p.startsWith("//")) {
      String rest = p.substring(2);
      int slash = rest.indexOf('/');
      return !rest.isEmpty() && !rest.startsWith("/") && (slash < 0 || !rest.substring(0, slash).contains("."));
    }
    if (p.startsWith("/")) {
      return p.length() > 1;
    }
    return RELATIVE_PATH.matcher(p).matches() && (p.contains("/") || hasExtension(p));
  }

  /** True when a file name has an extension (server.pid, app.log), so it is not a directory. */
  static boolean hasExtension(String name) {
    return EXTENSION.matcher(name).matches();
  }
}
