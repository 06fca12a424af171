package dev.rootlock.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The build step that puts the generated CRD's printer columns in their declared order. */
class PrinterColumnOrderTest {
  @Test
  void reorderingChangesOnlyTheOrderOfTheColumns() {
    String generated = """
        spec:
          versions:
          - additionalPrinterColumns:
            - jsonPath: ".metadata.creationTimestamp"
              name: "Age"
              type: "date"
            - jsonPath: ".spec.mode"
              name: "Mode"
              type: "string"
            name: "v1alpha1"
        """;
    String reordered = PrinterColumnOrder.reorder(generated, List.of("Mode", "Age"));
    assertThat(reordered).isEqualTo(generated.replace("""
            - jsonPath: ".metadata.creationTimestamp"
              name: "Age"
              type: "date"
            - jsonPath: ".spec.mode"
              name: "Mode"
              type: "string"
        """, """
            - jsonPath: ".spec.mode"
              name: "Mode"
              type: "string"
            - jsonPath: ".metadata.creationTimestamp"
              name: "Age"
              type: "date"
        """));
    assertThat(PrinterColumnOrder.reorder(reordered, List.of("Mode", "Age"))).isEqualTo(reordered);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> PrinterColumnOrder.reorder(generated, List.of("Mode")))
        .hasMessageContaining("printer column Age is not declared");
  }
}
