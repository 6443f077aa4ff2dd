package dev.conveyor.worker;

import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.springframework.beans.BeanUtils;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.util.ClassUtils;

/**
 * What a failed start prints: Spring Boot's failure analysis (the "APPLICATION FAILED TO START"
 * description), which names the property of a Bean Validation error, else the failure's messages.
 */
final class StartFailure {

  /** Boot's failure analyzers for binding (package-private in Boot, hence by name). */
  private static final List<FailureAnalyzer> ANALYZERS =
      Stream.of("BindValidationFailureAnalyzer", "BindFailureAnalyzer")
          .map(name -> "org.springframework.boot.diagnostics.analyzer." + name)
          .map(name -> ClassUtils.resolveClassName(name, null))
          .map(type -> (FailureAnalyzer) BeanUtils.instantiateClass(type))
          .toList();

  private StartFailure() {}

  /**
   * The description in uniform form (lower case, no dashes): Boot names a Bean Validation error's
   * property by its Java name ({@code callbackMaxAttempts}), the same property as {@code
   * callback-max-attempts} to the binder. Compare with {@link #uniform(String)}.
   */
  static String describe(Throwable failure) {
    for (FailureAnalyzer analyzer : ANALYZERS) {
      FailureAnalysis analysis = analyzer.analyze(failure);
      if (analysis != null) {
        return uniform(analysis.getDescription());
      }
    }
    StringBuilder messages = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append('\n');
    }
    return uniform(messages.toString());
  }

  static String uniform(String text) {
    return text.toLowerCase(Locale.ROOT).replace("-", "");
  }
}
