package dev.conveyor.api;

/**
 * A one-shot command that a feature offers: {@code java -jar api-service.jar NAME [options]} runs
 * it instead of the service and exits with its code. Features list theirs under this interface's
 * name in {@code META-INF/spring.factories}, so that the application class, which every feature may
 * use, depends on none of them.
 */
public interface Command {

  /** The first command-line argument that selects this command. */
  String name();

  /**
   * Runs the command with all the command-line arguments (the name first); returns the process exit
   * code.
   */
  int run(Class<?> application, String[] args);
}
