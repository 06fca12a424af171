package dev.rootlock.plan;

import java.util.ArrayList;
import java.util.List;

/** Where a value sits in a document, as a person names it: {@code services.web.volumes[2]}. */
record FieldPath(List<Object> segments) {
  FieldPath {
    segments = List.copyOf(segments);
  }

  static FieldPath of(String... names) {
    return new FieldPath(List.of((Object[]) names));
  }

  /** {@code spec.tmpPaths[0]} as {@link #toString()} writes it (keys with dots or brackets aside). */
  static FieldPath parse(String path) {
    List<Object> segments = new ArrayList<>();
    for (String part : path.split("\\.")) {
      int bracket = part.indexOf('[');
      segments.add(bracket < 0 ? part : part.substring(0, bracket));
      while (bracket >= 0) {
        int close = part.indexOf(']', bracket);
        if (close < 0) {
          break;
        }
        try {
          segments.add(Integer.parseInt(part.substring(bracket + 1, close)));
        } catch (NumberFormatException e) {
          break;
        }
        bracket = part.indexOf('[', close);
      }
    }
    segments.removeIf(s -> s instanceof String str && str.isEmpty());
    return new FieldPath(segments);
  }

  FieldPath field(String name) {
    return with(name);
  }

  FieldPath index(int i) {
    return with(i);
  }

  private FieldPath with(Object segment) {
    List<Object> s = new ArrayList<>(segments);
    s.add(segment);
    return new FieldPath(s);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    for (Object segment : segments) {
      if (segment instanceof Integer i) {
        s.append('[').append(i).append(']');
      } else {
        s.append(s.length() == 0 ? "" : ".").append(segment);
      }
    }
    return s.toString();
  }
}
