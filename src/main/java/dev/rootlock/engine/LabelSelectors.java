package dev.rootlock.engine;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Kubernetes LabelSelector semantics, evaluated in Java: the operator and the offline plan must
 * select exactly the same workloads, and an API server's own selector support cannot be relied on
 * from a cache.
 */
public final class LabelSelectors {
  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

  private LabelSelectors() {}

  /** An absent or empty selector selects everything, as for a ReadOnlyPolicy. */
  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return true;
    }
    Map<String, String> l = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        if (e.getValue() == null || !e.getValue().equals(l.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        if (!matches(r, l)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean matches(LabelSelectorRequirement r, Map<String, String> labels) {
    if (r == null || r.getOperator() == null) {
      return false; // rejected by validate(); never select on a requirement we cannot read
    }
    String value = labels.get(r.getKey());
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    return switch (r.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      default -> false; // rejected by validate(); never select on an operator we do not know
    };
  }

  /** Problems with a selector, each naming the field below {@code field}. */
  public static List<SpecError> validate(LabelSelector selector, String field) {
    List<SpecError> errors = new ArrayList<>();
    if (selector == null) {
      return errors;
    }
    if (selector.getMatchLabels() != null) {
      selector.getMatchLabels().forEach((k, v) -> {
        String f = field + ".matchLabels[" + k + "]";
        keyProblem(k, f, errors);
        if (v == null) {
          errors.add(new SpecError(f, "a label value must not be null (use \"\" for an empty value)"));
        }
        valueProblem(v, f, errors);
      });
    }
    List<LabelSelectorRequirement> exprs = selector.getMatchExpressions();
    for (int i = 0; exprs != null && i < exprs.size(); i++) {
      LabelSelectorRequirement r = exprs.get(i);
      String f = field + ".matchExpressions[" + i + "]";
      if (r == null) {
        errors.add(new SpecError(f, "a requirement must not be null"));
        continue;
      }
      keyProblem(r.getKey(), f + ".key", errors);
      List<String> values = r.getValues() == null ? List.of() : r.getValues();
      String op = r.getOperator();
      if ("In".equals(op) || "NotIn".equals(op)) {
        if (values.isEmpty()) {
          errors.add(new SpecError(f + ".values", "operator " + op + " needs at least one value"));
        }
        for (int j = 0; j < values.size(); j++) {
          valueProblem(values.get(j), f + ".values[" + j + "]", errors);
        }
      } else if ("Exists".equals(op) || "DoesNotExist".equals(op)) {
        if (!values.isEmpty()) {
          errors.add(new SpecError(f + ".values", "operator " + op + " takes no values"));
        }
      } else {
        errors.add(new SpecError(f + ".operator",
            "\"" + op + "\" is not one of In, NotIn, Exists, DoesNotExist"));
      }
    }
    return errors;
  }

  private static void keyProblem(String key, String field, List<SpecError> errors) {
    if (key == null || key.isEmpty()) {
      errors.add(new SpecError(field, "a label key must not be empty"));
      return;
    }
    int slash = key.indexOf('/');
    String prefix = slash < 0 ? null : key.substring(0, slash);
    String name = slash < 0 ? key : key.substring(slash + 1);
    boolean ok = name.length() <= 63 && NAME.matcher(name).matches()
        && (prefix == null || (prefix.length() <= 253 && DNS_SUBDOMAIN.matcher(prefix).matches()));
    if (!ok) {
      errors.add(new SpecError(field, "\"" + key + "\" is not a valid label key"));
    }
  }

  private static void valueProblem(String value, String field, List<SpecError> errors) {
    if (value == null || value.isEmpty()) {
      return;
    }
    if (value.length() > 63 || !NAME.matcher(value).matches()) {
      errors.add(new SpecError(field, "\"" + value + "\" is not a valid label value"));
    }
  }
}
