package dev.rootlock.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import org.slf4j.LoggerFactory;

/** {@code --log-format}: text lines (logback.xml) or JSON lines (logback-json.xml). */
public enum LogFormat {
  text("logback.xml"),
  json("logback-json.xml");

  private final String resource;

  LogFormat(String resource) {
    this.resource = resource;
  }

  /** Switches the running logback to this format; the text format is already in place at start. */
  public void apply() {
    if (this == text || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return;
    }
    URL config = LogFormat.class.getClassLoader().getResource(resource);
    ctx.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(ctx);
    try {
      configurator.doConfigure(config);
    } catch (JoranException e) {
      throw new IllegalStateException("bundled " + resource + " is broken", e);
    }
  }
}
