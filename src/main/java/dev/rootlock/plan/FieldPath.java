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
