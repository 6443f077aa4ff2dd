package dev.conveyor.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.api.ConveyorApiApplication;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Kubernetes manifests ({@code deploy/kubernetes}): {@code kubectl kustomize} renders the base
 * and the production overlay, and the rendered objects, read into fabric8's Kubernetes model, are
 * checked against the services they run: every environment variable binds to a property of its
 * service (its configuration metadata, with Spring's relaxed binding from environment names), every
 * probe reads a health group the service configures on its management port, the images and Secret
 * keys are docker-compose.yml's, the pods run as non-root on read-only root filesystems, the grace
 * periods cover the shutdown timeouts, and the KEDA trigger's query is {@code queue_demand.sql}.
 */
class KubernetesManifestTests {

  private static final Path KUBERNETES = Path.of("..", "deploy", "kubernetes");
  private static final List<String> OVERLAYS = List.of("base", "overlays/production");

  /**
   * What the worker runtime's stop may take after its drain ({@code
   * conveyor.worker.shutdown.timeout}): 2 s for the handlers it released, 5 s joining its loops,
   * and the last completions (WorkerRuntime.stop).
   */
  private static final Duration RUNTIME_STOP_AFTER_DRAIN = Duration.ofSeconds(10);

  private static final ObjectMapper MODEL =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
  private static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.of(
          "Deployment", Deployment.class,
          "Service", Service.class,
          "PodDisruptionBudget", PodDisruptionBudget.class,
          "Job", Job.class,
          "ConfigMap", ConfigMap.class,
          "Secret", Secret.class);

  private static Properties apiProperties;
  private static Properties workerProperties;

  /** Rendered objects per overlay. */
  private static final Map<String, List<HasMetadata>> rendered = new LinkedHashMap<>();

  @BeforeAll
  static void render() throws Exception {
    for (String overlay : OVERLAYS) {
      List<HasMetadata> objects = new ArrayList<>();
      for (Object document : new Yaml().loadAll(kustomize(overlay))) {
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) document;
        Class<? extends HasMetadata> type =
            KINDS.getOrDefault((String) object.get("kind"), GenericKubernetesResource.class);
        objects.add(MODEL.convertValue(object, type));
      }
      rendered.put(overlay, objects);
    }
    apiProperties = Properties.of(ConveyorApiApplication.class, ConveyorWorkerApplication.class);
    workerProperties = Properties.of(ConveyorWorkerApplication.class, ConveyorApiApplication.class);
  }

  @Test
  void bothOverlaysRenderEveryObjectAndNoSecretValues() {
    rendered.forEach(
        (overlay, objects) -> {
          assertThat(objects)
              .as(overlay)
              .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
              .contains(
                  "Deployment/conveyor-api",
                  "Service/conveyor-api",
                  "PodDisruptionBudget/conveyor-api",
                  "Deployment/conveyor-worker",
                  "Job/conveyor-migrate",
                  "ScaledObject/conveyor-worker",
                  "TriggerAuthentication/conveyor-keda-db");
          assertThat(objects)
              .as("%s: Secrets are created by hand, never committed", overlay)
              .noneMatch(o -> o instanceof Secret);
        });
    assertThat(rendered.get("overlays/production"))
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .contains("PodDisruptionBudget/conveyor-worker");
  }

  @Test
  void everyEnvironmentVariableBindsToAPropertyOfItsService() throws IOException {
    Properties api = apiProperties;
    Properties worker = workerProperties;
    Set<String> apiExtra = new LinkedHashSet<>(placeholders(apiYaml()));
    apiExtra.addAll(dockerfileVariables("api-service"));
    Set<String> workerExtra = new LinkedHashSet<>(placeholders(workerYaml()));
    workerExtra.addAll(dockerfileVariables("worker-service"));
    // The migration Job runs a plain main, not Spring: what it reads from the environment.
    Set<String> migrations = new LinkedHashSet<>(migrationsVariables());
    migrations.addAll(dockerfileVariables("api-service"));

    for (String overlay : OVERLAYS) {
      assertThat(environment(overlay, podSpec(overlay, "Deployment", "conveyor-api")).keySet())
          .as("%s: the API's environment", overlay)
          .isNotEmpty()
          .allSatisfy(
              name ->
                  assertThat(api.binds(name) || apiExtra.contains(name))
                      .as("%s: %s binds to a property of the API", overlay, name)
                      .isTrue());
      assertThat(environment(overlay, podSpec(overlay, "Deployment", "conveyor-worker")).keySet())
          .as("%s: the worker's environment", overlay)
          .isNotEmpty()
          .allSatisfy(
              name ->
                  assertThat(worker.binds(name) || workerExtra.contains(name))
                      .as("%s: %s binds to a property of the worker", overlay, name)
                      .isTrue());
      assertThat(environment(overlay, podSpec(overlay, "Job", "conveyor-migrate")).keySet())
          .as("%s: the migration's environment", overlay)
          .isNotEmpty()
          .allSatisfy(
              name ->
                  assertThat(migrations)
                      .as("%s: the migration reads %s", overlay, name)
                      .contains(name));
    }
  }

  @Test
  void probesReadTheServicesHealthGroupsOnTheirManagementPorts() throws IOException {
    Map<String, Object> apiYaml = apiYaml();
    Map<String, Object> workerYaml = workerYaml();
    assertThat(healthGroups(apiYaml).get("readiness")).contains("db", "queue");
    assertThat(healthGroups(workerYaml).get("readiness")).contains("db", "conveyor");

    for (String overlay : OVERLAYS) {
      checkProbes(overlay, "conveyor-api", apiYaml, 8080);
      checkProbes(overlay, "conveyor-worker", workerYaml, 8080);
      // Clients reach the API's port, never actuator's.
      Service service = object(overlay, Service.class, "conveyor-api");
      Container api = podSpec(overlay, "Deployment", "conveyor-api").getContainers().getFirst();
      int http =
          containerPort(api, service.getSpec().getPorts().getFirst().getTargetPort().getStrVal());
      assertThat(http)
          .as("%s: the Service's target port", overlay)
          .isEqualTo(serverPort(overlay, "conveyor-api", apiYaml, 8080));
      assertThat(http).isNotEqualTo(managementPort(overlay, "conveyor-api", apiYaml, 8080));
    }
  }

  @Test
  void imagesAndSecretsLineUpWithDockerCompose() throws IOException {
    Map<String, Object> compose = yaml(Path.of("..", "docker-compose.yml"));
    Map<String, String> services =
        Map.of("api", "conveyor-api", "worker", "conveyor-worker", "migrate", "conveyor-migrate");
    Pattern required = Pattern.compile("^\\$\\{([A-Z0-9_]+):\\?[^}]*}$");
    Pattern single = Pattern.compile("^\\$\\{([A-Z0-9_]+)(:[-?][^}]*)?}$");

    for (String overlay : OVERLAYS) {
      services.forEach(
          (composeName, name) -> {
            Map<String, Object> service = map(map(compose, "services"), composeName);
            PodSpec pod =
                podSpec(overlay, composeName.equals("migrate") ? "Job" : "Deployment", name);
            Container container = pod.getContainers().getFirst();
            String image = composeDefault((String) service.get("image"));
            if (overlay.equals("base")) {
              assertThat(container.getImage()).as("%s: %s's image", overlay, name).isEqualTo(image);
            } else {
              String repository = image.substring(0, image.lastIndexOf(':'));
              assertThat(container.getImage())
                  .as("%s: %s's image is the released one", overlay, name)
                  .endsWith(repository.substring(repository.indexOf('/')) + ":" + "0.1.0");
            }
            Map<String, EnvVar> env =
                container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
            Set<String> names = environment(overlay, pod).keySet();
            map(service, "environment")
                .forEach(
                    (variable, value) -> {
                      assertThat(names)
                          .as("%s: %s sets %s as compose does", overlay, name, variable)
                          .contains(variable);
                      Matcher secret = required.matcher(String.valueOf(value));
                      Matcher one = single.matcher(String.valueOf(value));
                      EnvVar var = env.get(variable);
                      boolean fromSecret =
                          var != null
                              && var.getValueFrom() != null
                              && var.getValueFrom().getSecretKeyRef() != null;
                      if (secret.matches()) {
                        assertThat(fromSecret)
                            .as("%s: %s's %s comes from a Secret", overlay, name, variable)
                            .isTrue();
                      }
                      if (fromSecret) {
                        assertThat(one.matches())
                            .as("%s: compose gives %s one .env variable", overlay, variable)
                            .isTrue();
                        assertThat(var.getValueFrom().getSecretKeyRef().getKey())
                            .as(
                                "%s: %s's %s is the Secret key named as compose's .env variable",
                                overlay, name, variable)
                            .isEqualTo(one.group(1));
                      }
                    });
            // The same image runs the migration: the migrations of the release being rolled out.
            if (composeName.equals("migrate")) {
              assertThat(container.getImage())
                  .isEqualTo(
                      podSpec(overlay, "Deployment", "conveyor-api")
                          .getContainers()
                          .getFirst()
                          .getImage());
              @SuppressWarnings("unchecked")
              List<String> entrypoint = (List<String>) service.get("entrypoint");
              assertThat(container.getCommand())
                  .isEqualTo(entrypoint.stream().map(a -> a.replace("$$", "$")).toList());
            }
          });

      // Every Secret key is a compose .env variable, always in the same Secret.
      Map<String, String> secretOfKey = new TreeMap<>();
      for (String name : List.of("conveyor-api", "conveyor-worker")) {
        secretRefs(podSpec(overlay, "Deployment", name), secretOfKey);
      }
      secretRefs(podSpec(overlay, "Job", "conveyor-migrate"), secretOfKey);
      for (Map<String, Object> ref :
          list(spec(overlay, "TriggerAuthentication", "conveyor-keda-db"), "secretTargetRef")) {
        assertThat(secretOfKey.get((String) ref.get("key"))).isEqualTo(ref.get("name"));
      }
      assertThat(secretOfKey)
          .as(overlay)
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "POSTGRES_USER", "conveyor-db",
                  "POSTGRES_PASSWORD", "conveyor-db",
                  "CONVEYOR_CALLBACK_SECRET", "conveyor-callback",
                  "CONVEYOR_API_BOOTSTRAP_KEY", "conveyor-bootstrap"));
    }
    String env = Files.readString(Path.of("..", ".env.example"));
    assertThat(
            List.of(
                "POSTGRES_USER",
                "POSTGRES_PASSWORD",
                "CONVEYOR_CALLBACK_SECRET",
                "CONVEYOR_API_BOOTSTRAP_KEY"))
        .allSatisfy(key -> assertThat(env).contains("\n" + key + "="));
  }

  @Test
  void podsRunAsNonRootOnReadOnlyRootFilesystemsWithLimits() {
    for (String overlay : OVERLAYS) {
      for (PodSpec pod :
          List.of(
              podSpec(overlay, "Deployment", "conveyor-api"),
              podSpec(overlay, "Deployment", "conveyor-worker"),
              podSpec(overlay, "Job", "conveyor-migrate"))) {
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(overlay).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).as(overlay).isEqualTo(10001L);
        assertThat(pod.getAutomountServiceAccountToken()).as(overlay).isFalse();
        for (Container container : pod.getContainers()) {
          String what = overlay + ": " + container.getName();
          assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).as(what).isTrue();
          assertThat(container.getSecurityContext().getAllowPrivilegeEscalation())
              .as(what)
              .isFalse();
          assertThat(container.getSecurityContext().getCapabilities().getDrop())
              .as(what)
              .containsExactly("ALL");
          // The JVM and Tomcat write to java.io.tmpdir: an emptyDir.
          String tmp =
              container.getVolumeMounts().stream()
                  .filter(m -> m.getMountPath().equals("/tmp"))
                  .findFirst()
                  .orElseThrow(() -> new AssertionError(what + " mounts nothing on /tmp"))
                  .getName();
          Volume volume =
              pod.getVolumes().stream()
                  .filter(v -> v.getName().equals(tmp))
                  .findFirst()
                  .orElseThrow();
          assertThat(volume.getEmptyDir()).as(what).isNotNull();
          assertThat(container.getResources().getRequests()).as(what).containsKeys("cpu", "memory");
          assertThat(container.getResources().getLimits()).as(what).containsKeys("cpu", "memory");
        }
      }
    }
  }

  @Test
  void gracePeriodsCoverTheShutdownTimeouts() throws IOException {
    Properties api = apiProperties;
    Properties worker = workerProperties;
    for (String overlay : OVERLAYS) {
      PodSpec apiPod = podSpec(overlay, "Deployment", "conveyor-api");
      Duration apiNeeds =
          preStopSleep(apiPod)
              .plus(setting(overlay, apiPod, api, "spring.lifecycle.timeout-per-shutdown-phase"));
      assertThat(Duration.ofSeconds(apiPod.getTerminationGracePeriodSeconds()))
          .as("%s: the API's grace period", overlay)
          .isGreaterThanOrEqualTo(apiNeeds);

      PodSpec workerPod = podSpec(overlay, "Deployment", "conveyor-worker");
      Duration workerNeeds =
          preStopSleep(workerPod)
              .plus(setting(overlay, workerPod, worker, "conveyor.worker.shutdown.timeout"))
              .plus(RUNTIME_STOP_AFTER_DRAIN)
              .plus(
                  setting(
                      overlay, workerPod, worker, "spring.lifecycle.timeout-per-shutdown-phase"));
      assertThat(Duration.ofSeconds(workerPod.getTerminationGracePeriodSeconds()))
          .as("%s: the worker's grace period", overlay)
          .isGreaterThanOrEqualTo(workerNeeds);
    }
  }

  @Test
  void theKedaTriggerRunsQueueDemandSqlForTheWorkersQueuesAndDatabase() throws IOException {
    // The file WorkerScalingQueryTests runs (read here: that class starts the test database).
    String query = Files.readString(KUBERNETES.resolve("base").resolve("queue_demand.sql"));
    int values = query.indexOf("VALUES (");
    Matcher value =
        Pattern.compile("\\('([a-z0-9_-]+)', (\\d+)\\)")
            .matcher(query.substring(values, query.indexOf('\n', values)));
    Map<String, String> slots = new TreeMap<>();
    while (value.find()) {
      slots.put(value.group(1), value.group(2));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> defaults =
        (Map<String, Object>) map(map(workerYaml(), "conveyor"), "worker").get("queues");
    assertThat(slots)
        .as("queue_demand.sql counts every queue the worker serves")
        .containsOnlyKeys(defaults.keySet());

    for (String overlay : OVERLAYS) {
      GenericKubernetesResource scaledObject = generic(overlay, "ScaledObject", "conveyor-worker");
      assertThat(map(scaledObject.getAdditionalProperties(), "spec").get("scaleTargetRef"))
          .isEqualTo(Map.of("name", "conveyor-worker"));
      Map<String, Object> trigger =
          list(scaledObject.getAdditionalProperties().get("spec"), "triggers").getFirst();
      assertThat(trigger.get("type")).isEqualTo("postgresql");
      Map<String, Object> metadata = map(trigger, "metadata");
      assertThat(metadata.get("query"))
          .as("%s: the trigger's query is the file", overlay)
          .isEqualTo(query);
      assertThat(metadata.get("targetQueryValue")).isEqualTo("1");
      assertThat(map(trigger, "authenticationRef").get("name")).isEqualTo("conveyor-keda-db");

      Map<String, String> environment =
          environment(overlay, podSpec(overlay, "Deployment", "conveyor-worker"));
      slots.forEach(
          (queue, n) ->
              assertThat(environment.get("CONVEYOR_WORKER_QUEUES_" + queue.toUpperCase()))
                  .as("%s: the worker's slots for %s are the query's", overlay, queue)
                  .isEqualTo(n));
      // The scaler connects to the server itself: the direct URL when the pooled one is a
      // PgBouncer's (docs/operations.md, "Behind PgBouncer").
      String url =
          environment.getOrDefault("CONVEYOR_DB_DIRECT_URL", environment.get("CONVEYOR_DB_URL"));
      URI database = URI.create(url.substring("jdbc:".length()));
      assertThat(metadata.get("host")).as(overlay).isEqualTo(database.getHost());
      assertThat(metadata.get("port")).as(overlay).isEqualTo(String.valueOf(database.getPort()));
      assertThat(metadata.get("dbName")).as(overlay).isEqualTo(database.getPath().substring(1));
    }
  }

  // --- rendering

  private static String kustomize(String overlay) throws Exception {
    String kubectl = kubectl();
    Process process =
        new ProcessBuilder(kubectl, "kustomize", KUBERNETES.resolve(overlay).toString()).start();
    CompletableFuture<byte[]> out =
        CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
    CompletableFuture<byte[]> err =
        CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("kubectl kustomize %s did not finish within 2 minutes", overlay);
    }
    String stderr = new String(err.get(), StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      fail("kubectl kustomize %s failed (%d): %s", overlay, process.exitValue(), stderr);
    }
    return new String(out.get(), StandardCharsets.UTF_8);
  }

  /** /usr/bin/kubectl, else the first kubectl on the PATH. */
  private static String kubectl() {
    List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/bin/kubectl")));
    for (String dir :
        Objects.requireNonNullElse(System.getenv("PATH"), "").split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        candidates.add(Path.of(dir, "kubectl"));
      }
    }
    return candidates.stream()
        .filter(Files::isExecutable)
        .findFirst()
        .map(Path::toString)
        .orElseThrow(
            () ->
                new AssertionError(
                    "kubectl is missing (neither /usr/bin/kubectl nor one on the PATH): these tests"
                        + " render deploy/kubernetes with `kubectl kustomize`. Install Debian's"
                        + " kubernetes-client package (.ci/run does when it is missing)."));
  }

  private static byte[] readAll(InputStream in) {
    try (in;
        ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      in.transferTo(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // --- rendered objects

  private static <T extends HasMetadata> T object(String overlay, Class<T> type, String name) {
    return rendered.get(overlay).stream()
        .filter(type::isInstance)
        .map(type::cast)
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError(overlay + " renders no " + type.getSimpleName() + " " + name));
  }

  private static GenericKubernetesResource generic(String overlay, String kind, String name) {
    return rendered.get(overlay).stream()
        .filter(o -> o instanceof GenericKubernetesResource && o.getKind().equals(kind))
        .map(GenericKubernetesResource.class::cast)
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(overlay + " renders no " + kind + " " + name));
  }

  private static Object spec(String overlay, String kind, String name) {
    return generic(overlay, kind, name).getAdditionalProperties().get("spec");
  }

  private static PodSpec podSpec(String overlay, String kind, String name) {
    return switch (kind) {
      case "Deployment" ->
          object(overlay, Deployment.class, name).getSpec().getTemplate().getSpec();
      case "Job" -> object(overlay, Job.class, name).getSpec().getTemplate().getSpec();
      default -> throw new IllegalArgumentException(kind);
    };
  }

  /**
   * A pod's first container's environment: its env entries and the keys of the ConfigMaps it takes
   * whole (envFrom), with the ConfigMaps' values (env entries from a Secret: empty).
   */
  private static Map<String, String> environment(String overlay, PodSpec pod) {
    Map<String, String> environment = new LinkedHashMap<>();
    Container container = pod.getContainers().getFirst();
    for (EnvFromSource from : container.getEnvFrom()) {
      assertThat(from.getConfigMapRef()).as("%s: envFrom only ConfigMaps", overlay).isNotNull();
      assertThat(from.getPrefix()).isNull();
      environment.putAll(
          object(overlay, ConfigMap.class, from.getConfigMapRef().getName()).getData());
    }
    for (EnvVar var : container.getEnv()) {
      environment.put(var.getName(), Objects.requireNonNullElse(var.getValue(), ""));
    }
    return environment;
  }

  private static void secretRefs(PodSpec pod, Map<String, String> secretOfKey) {
    for (EnvVar var : pod.getContainers().getFirst().getEnv()) {
      if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
        String key = var.getValueFrom().getSecretKeyRef().getKey();
        String secret = var.getValueFrom().getSecretKeyRef().getName();
        assertThat(secretOfKey.putIfAbsent(key, secret))
            .as("the Secret of %s", key)
            .isIn(null, secret);
      } else {
        assertThat(var.getValue())
            .as("%s: a literal value, from no Secret", var.getName())
            .isNotNull();
      }
    }
  }

  // --- the services' settings

  private static void checkProbes(
      String overlay, String deployment, Map<String, Object> yaml, int defaultPort) {
    PodSpec pod = podSpec(overlay, "Deployment", deployment);
    Container container = pod.getContainers().getFirst();
    Map<String, List<String>> groups = healthGroups(yaml);
    int management = managementPort(overlay, deployment, yaml, defaultPort);
    Map<String, Probe> probes = new LinkedHashMap<>();
    probes.put("startup", container.getStartupProbe());
    probes.put("liveness", container.getLivenessProbe());
    probes.put("readiness", container.getReadinessProbe());
    probes.forEach(
        (kind, probe) -> {
          String what = overlay + ": " + deployment + "'s " + kind + " probe";
          assertThat(probe).as(what).isNotNull();
          HTTPGetAction get = probe.getHttpGet();
          String group = kind.equals("startup") ? "liveness" : kind;
          assertThat(get.getPath()).as(what).isEqualTo("/actuator/health/" + group);
          assertThat(groups)
              .as("%s: the health groups %s configures", what, deployment)
              .containsKey(group);
          int port =
              get.getPort().getIntVal() != null
                  ? get.getPort().getIntVal()
                  : containerPort(container, get.getPort().getStrVal());
          assertThat(port).as("%s: the management port", what).isEqualTo(management);
        });
    assertThat(container.getPorts())
        .extracting(ContainerPort::getContainerPort)
        .contains(management);
  }

  private static int containerPort(Container container, String name) {
    return container.getPorts().stream()
        .filter(p -> name.equals(p.getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(container.getName() + " has no port named " + name))
        .getContainerPort();
  }

  /** MANAGEMENT_SERVER_PORT when set, else the server's port. */
  private static int managementPort(
      String overlay, String deployment, Map<String, Object> yaml, int defaultPort) {
    String management =
        environment(overlay, podSpec(overlay, "Deployment", deployment))
            .get("MANAGEMENT_SERVER_PORT");
    return management != null
        ? Integer.parseInt(management)
        : serverPort(overlay, deployment, yaml, defaultPort);
  }

  /** SERVER_PORT when set, else application.yml's server.port (its placeholder's default). */
  private static int serverPort(
      String overlay, String deployment, Map<String, Object> yaml, int defaultPort) {
    String server =
        environment(overlay, podSpec(overlay, "Deployment", deployment)).get("SERVER_PORT");
    if (server != null) {
      return Integer.parseInt(server);
    }
    Object configured = map(yaml, "server").get("port");
    if (configured == null) {
      return defaultPort;
    }
    Matcher placeholder =
        Pattern.compile("^\\$\\{[A-Z0-9_]+:(\\d+)}$").matcher(configured.toString());
    return Integer.parseInt(placeholder.matches() ? placeholder.group(1) : configured.toString());
  }

  /** The health groups an application.yml configures, with what they include. */
  private static Map<String, List<String>> healthGroups(Map<String, Object> yaml) {
    Map<String, Object> health = map(map(map(yaml, "management"), "endpoint"), "health");
    Map<String, List<String>> groups = new LinkedHashMap<>();
    if (Boolean.TRUE.equals(map(health, "probes").get("enabled"))) {
      groups.put("liveness", List.of("livenessState"));
      groups.put("readiness", List.of("readinessState"));
    }
    map(health, "group")
        .forEach(
            (name, group) -> {
              @SuppressWarnings("unchecked")
              Object include = ((Map<String, Object>) group).get("include");
              groups.put(name, List.of(String.valueOf(include).split("\\s*,\\s*")));
            });
    return groups;
  }

  /** A duration setting: from the pod's environment when set there, else its metadata default. */
  private static Duration setting(
      String overlay, PodSpec pod, Properties properties, String property) {
    for (Map.Entry<String, String> variable : environment(overlay, pod).entrySet()) {
      if (Properties.bindsTo(variable.getKey(), property)) {
        return DurationStyle.detectAndParse(variable.getValue());
      }
    }
    return DurationStyle.detectAndParse(properties.defaultValue(property));
  }

  private static Duration preStopSleep(PodSpec pod) {
    Container container = pod.getContainers().getFirst();
    if (container.getLifecycle() == null || container.getLifecycle().getPreStop() == null) {
      return Duration.ZERO;
    }
    List<String> command = container.getLifecycle().getPreStop().getExec().getCommand();
    assertThat(command).hasSize(2).first().isEqualTo("sleep");
    return Duration.ofSeconds(Long.parseLong(command.get(1)));
  }

  private static Map<String, Object> apiYaml() throws IOException {
    return yaml(Path.of("..", "api-service", "src", "main", "resources", "application.yml"));
  }

  private static Map<String, Object> workerYaml() throws IOException {
    return yaml(Path.of("src", "main", "resources", "application.yml"));
  }

  /** The environment variables an application.yml names in placeholders ({@code ${NAME:...}}). */
  private static Set<String> placeholders(Map<String, Object> yaml) {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]").matcher(new Yaml().dump(yaml));
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The variables a service's Dockerfile uses in its ENTRYPOINT and HEALTHCHECK ($NAME). */
  private static Set<String> dockerfileVariables(String service) throws IOException {
    Set<String> names = new LinkedHashSet<>();
    for (String line : Files.readAllLines(Path.of("..", service, "Dockerfile"))) {
      if (line.startsWith("ENTRYPOINT") || line.contains("CMD")) {
        Matcher m = Pattern.compile("\\$\\{?([A-Z][A-Z0-9_]*)").matcher(line);
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  /** What the Migrations main reads with System.getenv. */
  private static Set<String> migrationsVariables() throws IOException {
    String source =
        Files.readString(
            Path.of(
                "..",
                "db-migrations",
                "src",
                "main",
                "java",
                "dev",
                "conveyor",
                "migrations",
                "Migrations.java"));
    Set<String> names = new LinkedHashSet<>();
    Matcher m =
        Pattern.compile("(?:getenv\\(|getOrDefault\\(|requireEnv\\()\"([A-Z0-9_]+)\"")
            .matcher(source);
    while (m.find()) {
      names.add(m.group(1));
    }
    assertThat(names).contains("CONVEYOR_DB_URL");
    return names;
  }

  private static String composeDefault(String value) {
    Matcher m = Pattern.compile("^\\$\\{[A-Z0-9_]+:-([^}]+)}$").matcher(value);
    return m.matches() ? m.group(1) : value;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(Path file) throws IOException {
    return (Map<String, Object>) new Yaml().load(Files.readString(file));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    Object child = parent.get(key);
    return child == null ? Map.of() : (Map<String, Object>) child;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object parent, String key) {
    return (List<Map<String, Object>>) ((Map<String, Object>) parent).get(key);
  }

  /**
   * The properties one service knows: every configuration metadata file on this class path except
   * the other service's own (this test module runs both). Spring Boot's, the starter's and the
   * service's own.
   */
  record Properties(Map<String, JsonNode> byName, List<Name> names) {

    /** A property's parsed name, and whether it holds a map, list or array. */
    record Name(ConfigurationPropertyName name, boolean container) {}

    static Properties of(Class<?> service, Class<?> other) throws IOException {
      String otherLocation = location(other);
      Map<String, JsonNode> byName = new LinkedHashMap<>();
      JsonMapper json = JsonMapper.builder().build();
      for (String resource :
          List.of(
              "META-INF/spring-configuration-metadata.json",
              "META-INF/additional-spring-configuration-metadata.json")) {
        for (URL url : Collections.list(service.getClassLoader().getResources(resource))) {
          if (url.toString().contains(otherLocation)) {
            continue;
          }
          try (InputStream in = url.openStream()) {
            for (JsonNode property : json.readTree(in).path("properties")) {
              byName.putIfAbsent(property.path("name").asString(), property);
            }
          }
        }
      }
      assertThat(byName).containsKey("server.port");
      assertThat(byName.keySet())
          .anyMatch(
              n ->
                  n.startsWith(
                      service == ConveyorApiApplication.class
                          ? "conveyor.api."
                          : "conveyor.worker-service."));
      List<Name> names = new ArrayList<>();
      byName.forEach(
          (name, property) -> {
            String type = property.path("type").asString("");
            if (ConfigurationPropertyName.isValid(name)) {
              names.add(
                  new Name(
                      ConfigurationPropertyName.of(name),
                      type.startsWith("java.util.Map")
                          || type.startsWith("java.util.List")
                          || type.startsWith("java.util.Set")
                          || type.endsWith("[]")));
            }
          });
      return new Properties(byName, names);
    }

    private static String location(Class<?> type) {
      try {
        return type.getProtectionDomain().getCodeSource().getLocation().toURI().toString();
      } catch (URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }

    /** Whether the environment variable sets one of these properties (or an entry of a map). */
    boolean binds(String variable) {
      ConfigurationPropertySource source = source(variable);
      return names.stream()
          .anyMatch(
              n ->
                  source.getConfigurationProperty(n.name()) != null
                      || (n.container()
                          && source.containsDescendantOf(n.name())
                              == ConfigurationPropertyState.PRESENT));
    }

    String defaultValue(String property) {
      JsonNode node = byName.get(property);
      assertThat(node).as("metadata of %s", property).isNotNull();
      return node.path("defaultValue").asString();
    }

    static boolean bindsTo(String variable, String property) {
      return ConfigurationPropertyName.isValid(property)
          && source(variable).getConfigurationProperty(ConfigurationPropertyName.of(property))
              != null;
    }

    private static ConfigurationPropertySource source(String variable) {
      return ConfigurationPropertySource.from(
          new SystemEnvironmentPropertySource(
              StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(variable, "x")));
    }
  }
}
