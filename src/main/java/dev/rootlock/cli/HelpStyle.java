package dev.rootlock.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.ArgSpec;

/**
 * Usage help that shows an option and its value as they are typed, {@code -e NAME=VALUE}, never
 * {@code -e=NAME=VALUE}: picocli writes its separator between them, though the parser takes both a
 * space and {@code =} (which {@code --engine-arg=--runtime=runc} needs, so the separator stays).
 */
public final class HelpStyle {
  private HelpStyle() {}

  public static void apply(CommandLine cli) {
    cli.setHelpFactory((spec, scheme) -> new Help(spec, scheme) {
      @Override
      public IParamLabelRenderer parameterLabelRenderer() {
        IParamLabelRenderer labels = super.parameterLabelRenderer();
        return new IParamLabelRenderer() {
          @Override
          public Ansi.Text renderParameterLabel(ArgSpec arg, Ansi ansi, List<Ansi.IStyle> styles) {
            Ansi.Text label = labels.renderParameterLabel(arg, ansi, styles);
            String plain = label.plainString();
            return plain.startsWith("=") ? ansi.text(" " + plain.substring(1)) : label;
          }

          @Override
          public String separator() {
            return " ";
          }
        };
      }
    });
  }
}
