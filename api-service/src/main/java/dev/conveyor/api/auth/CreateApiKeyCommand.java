package dev.conveyor.api.auth;

import dev.conveyor.api.Command;
import dev.conveyor.api.web.ApiException;
import dev.conveyor.api.web.FieldProblem;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code java -jar api-service.jar create-api-key --name NAME [--role client|registrar|admin]
 * [--counties A,B]}: creates an API client (a registrar optionally scoped to the registry's
 * counties given) against the configured database (migrating it first, as the service does), prints
 * its key and webhook signing secret once, and exits. Only the key's hash is stored. Listed in
 * {@code META-INF/spring.factories}, where the application's {@code main} finds it.
 */
final class CreateApiKeyCommand implements Command {

  private static final String NAME = "create-api-key";
  private static final String USAGE =
      NAME + " --name NAME [--role client|registrar|admin] [--counties COUNTY,COUNTY,...]";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int run(Class<?> application, String[] args) {
    return run(application, args, System.out, System.err);
  }

  static int run(Class<?> application, String[] args, PrintStream out, PrintStream err) {
    Map<String, String> options;
    Role role;
    try {
      options = options(args);
      role = Role.parse(options.getOrDefault("role", "client"));
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.println("usage: " + USAGE);
      return 2;
    }
    String name = options.get("name");
    if (name == null || name.isBlank() || name.length() > 100) {
      err.println("usage: " + USAGE + " (name: 1 to 100 chars)");
      return 2;
    }
    String countyList = options.get("counties");
    // Comma-separated: county names hold letters, spaces, '.', ''' and '-', never a comma.
    List<String> counties =
        countyList == null
            ? null
            : Arrays.stream(countyList.split(",", -1)).map(String::strip).toList();
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(application)
            .web(WebApplicationType.NONE)
            .properties("spring.main.banner-mode=off", "logging.level.root=WARN")
            .run(args)) {
      ApiKeys.CreatedKey created = context.getBean(ApiKeys.class).create(name, role, counties);
      List<String> scope = created.caller().registryCounties();
      out.println(
          "Created API client '"
              + name
              + "' (id "
              + created.caller().clientId()
              + ", role "
              + role.dbValue()
              + (role == Role.REGISTRAR
                  ? ", counties " + (scope == null ? "all" : String.join(", ", scope))
                  : "")
              + ").");
      out.println("API key (shown once, only its hash is stored):");
      out.println("  " + created.key().reveal());
      out.println("Webhook signing secret for this client's callbackUrl:");
      out.println("  " + created.webhookSecret().reveal());
      return 0;
    } catch (ApiException e) {
      for (FieldProblem problem : e.errors()) {
        err.println("--" + problem);
      }
      err.println("usage: " + USAGE);
      return 2;
    } catch (RuntimeException e) {
      err.println("Could not create the API key: " + rootMessage(e));
      return 1;
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'");
      }
      int eq = arg.indexOf('=');
      if (eq > 0) {
        options.put(arg.substring(2, eq), arg.substring(eq + 1));
      } else if (i + 1 < args.length) {
        options.put(arg.substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("option " + arg + " needs a value");
      }
    }
    return options;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
