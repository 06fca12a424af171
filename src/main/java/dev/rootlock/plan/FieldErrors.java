package dev.rootlock.plan;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A value of the wrong type in a policy or workload, said in the words of the file rather than of
 * Java: the field as written ({@code spec.tmpPaths}), its line, what it takes, what was found, the
 * allowed values, and the field that was probably meant ("did you mean tmpPaths?").
 */
final class FieldErrors {
  private FieldErrors() {}

  /**
   * @param e what Jackson threw while binding the document's tree (or a part of it at {@code base})
   * @param context what was being read, first in the message: "invalid ReadOnlyPolicy"
   */
  static PlanInputException error(IllegalArgumentException e, YamlLines lines, FieldPath base, String context) {
    JsonMappingException j = mappingException(e);
    SourceDocument doc = lines.doc();
    if (j == null) {
      return new PlanInputException(doc.source(), lines.lineOf(base), context + ": " + PlanPolicy.rootMessage(e));
    }
    FieldPath at = base;
    JsonMappingException.Reference last = null;
    for (JsonMappingException.Reference r : j.getPath()) {
      at = r.getFieldName() != null ? at.field(r.getFieldName()) : at.index(r.getIndex());
      last = r;
    }
    JsonNode found = valueAt(doc.node(), at);
    String reason;
    if (j instanceof UnrecognizedPropertyException u) {
      List<String> known = u.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
      reason = "unknown field" + Spelling.closest(u.getPropertyName(), known).map(s -> "; did you mean " + s + "?")
          .orElse("") + " (known: " + String.join(", ", known) + ")";
    } else if (j instanceof MismatchedInputException m && m.getTargetType() != null && m.getTargetType().isEnum()) {
      List<String> allowed = Arrays.stream(m.getTargetType().getEnumConstants()).map(String::valueOf).toList();
      String value = found == null ? "" : found.asText();
      reason = "must be one of " + String.join(", ", allowed) + ", found " + describe(found)
          + allowed.stream().filter(a -> a.equalsIgnoreCase(value)).findFirst()
              .or(() -> Spelling.closest(value, allowed)).map(s -> "; did you mean " + s + "?").orElse("");
    } else if (j instanceof MismatchedInputException m && m.getTargetType() != null) {
      String expected = expected(m.getTargetType(), elementType(last));
      reason = "expected " + expected + ", found " + describe(found)
          + (Collection.class.isAssignableFrom(m.getTargetType()) && found != null && found.isValueNode()
              ? "; write it as a list: [" + found.asText() + "]" : "");
    } else {
      reason = PlanPolicy.rootMessage(j);
    }
    return new PlanInputException(doc.source(), lines.lineOf(at), context + ": " + at + ": " + reason);
  }

  private static JsonMappingException mappingException(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof JsonMappingException j) {
        return j;
      }
    }
    return null;
  }

  /** The value at {@code path} in the document as read, or null. */
  private static JsonNode valueAt(JsonNode root, FieldPath path) {
    JsonNode n = root;
    for (Object s : path.segments()) {
      n = n == null ? null : s instanceof Integer i ? n.get(i) : n.get((String) s);
    }
    return n;
  }

  /** The element type of the collection field a reference names ({@code List<String> tmpPaths}), or null. */
  private static Class<?> elementType(JsonMappingException.Reference r) {
    if (r == null || r.getFieldName() == null || r.getFrom() == null) {
      return null;
    }
    Class<?> owner = r.getFrom() instanceof Class<?> c ? c : r.getFrom().getClass();
    for (Class<?> c = owner; c != null; c = c.getSuperclass()) {
      Optional<Field> f = Arrays.stream(c.getDeclaredFields()).filter(x -> x.getName().equals(r.getFieldName()))
          .findFirst();
      if (f.isPresent()) {
        Type t = f.get().getGenericType();
        return t instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> e ? e : null;
      }
    }
    return null;
  }

  private static String expected(Class<?> type, Class<?> element) {
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return element == null ? "a list" : "a list of " + plural(expected(element, null));
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "a whole number";
    }
    if (Number.class.isAssignableFrom(type)) {
      return "a number";
    }
    return Map.class.isAssignableFrom(type) ? "a mapping" : "a mapping (" + type.getSimpleName() + ")";
  }

  private static String plural(String kind) {
    return switch (kind) {
      case "a string" -> "strings";
      case "a whole number" -> "whole numbers";
      case "true or false" -> "true or false values";
      default -> kind.startsWith("a mapping") ? "mappings" + kind.substring("a mapping".length()) : kind;
    };
  }

  static String describe(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "nothing";
    }
    if (v.isTextual()) {
      return "the string \"" + v.asText() + "\"";
    }
    if (v.isBoolean()) {
      return v.asText();
    }
    if (v.isNumber()) {
      return "the number " + v.asText();
    }
    return v.isObject() ? "a mapping" : "a list";
  }
}
