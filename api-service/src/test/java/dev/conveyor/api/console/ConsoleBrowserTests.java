package dev.conveyor.api.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.api.Api;
import dev.conveyor.api.ApiTestBase;
import dev.conveyor.api.auth.Role;
import dev.conveyor.queue.JobHandler;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobRequest;
import dev.conveyor.queue.runtime.WorkerConfig;
import dev.conveyor.queue.runtime.WorkerRuntime;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console end to end in a real headless Chromium (Debian's chromium and chromedriver, driven by
 * Selenium) against the running API of {@link ApiTestBase} and real PostgreSQL: sign in, see a dead
 * job, open it, retry it and watch a queue-core runtime complete it; pause a queue and see nothing
 * start, resume and see it start; a client key is refused; an action without the CSRF token is
 * refused. One browser for the class. Screenshots of each page go to {@code
 * target/console-screenshots/}.
 */
class ConsoleBrowserTests extends ApiTestBase {

  private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
  private static final String KIND = "console.test";

  private static ChromeDriverService service;
  private static WebDriver browser;
  private static Path profile;

  private final List<WorkerRuntime> runtimes = new ArrayList<>();
  private final JobQueue queue = new JobQueue(dataSource);

  @BeforeAll
  static void startBrowser() throws IOException {
    profile = Files.createTempDirectory("console-chromium-");
    service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--user-data-dir=" + profile.toAbsolutePath());
    browser = new ChromeDriver(service, options);
    browser.manage().window().setSize(new Dimension(1280, 900));
    browser.manage().timeouts().implicitlyWait(Duration.ZERO);
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stopBrowser() throws IOException {
    if (browser != null) {
      browser.quit();
    }
    if (service != null) {
      service.stop();
    }
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @AfterEach
  void stopRuntimesAndSignOut() {
    runtimes.forEach(r -> r.stop(Duration.ofSeconds(2)));
    browser.manage().deleteAllCookies();
  }

  private String url(String path) {
    return "http://localhost:" + port + path;
  }

  private void signIn(String key) {
    browser.get(url("/console/sign-in"));
    WebElement field = browser.findElement(By.name("apiKey"));
    field.clear();
    field.sendKeys(key);
    field.submit();
    // Wait for the answer to the sign-in POST (the console or the sign-in page with its error), so
    // the next navigation does not cut the POST off before its session cookie is set.
    new WebDriverWait(browser, Duration.ofSeconds(15))
        .until(
            ExpectedConditions.or(
                ExpectedConditions.presenceOfElementLocated(By.id("sign-in-error")),
                ExpectedConditions.not(ExpectedConditions.urlContains("/console/sign-in"))));
  }

  private void screenshot(String name) {
    try {
      Path png =
          browser instanceof ChromeDriver c ? c.getScreenshotAs(OutputType.FILE).toPath() : null;
      if (png != null) {
        Files.copy(png, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The element once the page shows it. A click on a submit button may return before the browser
   * has loaded the page the form leads to, so everything read after a click waits for the element
   * that only the next page has (Selenium's explicit wait; it polls the page, no fixed sleep).
   */
  private WebElement find(By by) {
    return new WebDriverWait(browser, Duration.ofSeconds(15))
        .until(ExpectedConditions.presenceOfElementLocated(by));
  }

  private String text(String css) {
    return find(By.cssSelector(css)).getText();
  }

  /** Clicks an action button, then the confirmation page's button; returns the result text. */
  private String act(String buttonId) {
    find(By.id(buttonId)).click();
    assertThat(find(By.id("question")).getText()).isNotBlank();
    find(By.id("confirm")).click();
    return find(By.id("result")).getText();
  }

  /** A runtime in this JVM on one queue, handlers counting their starts; stopped after the test. */
  private WorkerRuntime runtime(String queueName, AtomicInteger starts) {
    WorkerRuntime runtime =
        WorkerRuntime.builder(dataSource)
            .config(
                WorkerConfig.defaults()
                    .withWorkerId("console-browser-" + System.nanoTime())
                    .withQueues(Map.of(queueName, 2))
                    .withPollInterval(Duration.ofMillis(200)))
            .handler(JobHandler.of(KIND, ctx -> starts.incrementAndGet()))
            .rescuer(null)
            .pruner(null)
            .build();
    runtimes.add(runtime);
    runtime.start();
    return runtime;
  }

  private long deadJob(String queueName) {
    return jdbc.sql(
            """
            INSERT INTO conveyor.queue_job (queue, kind, payload, state, attempt, max_attempts,
                                            finalized_at, started_at, errors)
            VALUES (:queue, :kind, '{"recipient": 42}', 'discarded', 3, 3, now(), now(),
                    jsonb_build_array(jsonb_build_object('attempt', 3, 'at', now(),
                      'error', 'java.net.ConnectException: Connection refused' || chr(10)
                               || '    at dev.conveyor.example.Sender.send(Sender.java:42)',
                      'class', 'java.net.ConnectException')))
            RETURNING id
            """)
        .param("queue", queueName)
        .param("kind", KIND)
        .query(Long.class)
        .single();
  }

  @Test
  void anAdminSeesADeadJobRetriesItAndWatchesItComplete() {
    String q = "console-dead-" + System.nanoTime();
    long id = deadJob(q);
    signIn(newClient(Role.ADMIN).key());

    browser.get(url("/console"));
    assertThat(text("tr[data-queue='" + q + "'] td[data-col='dead']")).isEqualTo("1");
    screenshot("overview");

    browser.get(url("/console/jobs?state=discarded&queue=" + q));
    assertThat(text("tr[data-job='" + id + "'] th a")).isEqualTo(Long.toString(id));
    screenshot("jobs");
    find(By.cssSelector("tr[data-job='" + id + "'] th a")).click();
    assertThat(text("#job-state")).isEqualTo("dead");
    assertThat(text(".error-entry pre")).contains("Connection refused");
    screenshot("job-dead");

    find(By.id("retry-job")).click();
    find(By.id("confirm"));
    screenshot("confirm");
    find(By.id("confirm")).click();
    assertThat(text("#result")).contains("will run again now");
    assertThat(text("#job-state")).isEqualTo("available");

    AtomicInteger starts = new AtomicInteger();
    runtime(q, starts);
    // The page refreshes its own facts while the job is unfinished (console.js); no reload here.
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions() // the poll may read the element just as console.js swaps it
        .until(() -> browser.findElement(By.id("job-state")).getText().equals("completed"));
    assertThat(starts).hasValue(1);
    screenshot("job-completed");

    browser.get(url("/console"));
    assertThat(text("#runtimes")).contains(q);
    screenshot("overview-runtime");
    browser.get(url("/console/audit"));
    assertThat(text("#audit")).contains("job.retry").contains("job " + id);
    screenshot("audit");
  }

  @Test
  void aPausedQueueStartsNothingUntilResumed() {
    String q = "console-pause-" + System.nanoTime();
    AtomicInteger starts = new AtomicInteger();
    runtime(q, starts);
    signIn(newClient(Role.ADMIN).key());

    browser.get(url("/console/queues/" + q));
    assertThat(act("pause-queue")).contains("is paused");
    assertThat(text("#paused")).startsWith("yes");
    queue.enqueue(JobRequest.of(KIND, "{}").withQueue(q));
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> starts.get() == 0);
    browser.navigate().refresh();
    assertThat(text("#available")).isEqualTo("1");
    screenshot("queue-paused");

    assertThat(act("resume-queue")).contains("is resumed");
    await().atMost(Duration.ofSeconds(15)).until(() -> starts.get() == 1);
  }

  @Test
  void aLimitThatIsNotAPositiveNumberIsNamedOnThePageAndChangesNothing() {
    String q = "console-limits-" + System.nanoTime();
    signIn(newClient(Role.ADMIN).key());
    browser.get(url("/console/queues/" + q));

    find(By.id("maxRunning")).sendKeys("0");
    find(By.id("set-limits")).click();
    find(By.id("maxRunning-error"));
    screenshot("queue-limit-problem");
    try {
      Files.writeString(SCREENSHOTS.resolve("queue-limit-problem.html"), browser.getPageSource());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }

    assertThat(text("#maxRunning-error")).contains("Max running must be a whole number");
    assertThat(browser.findElement(By.id("maxRunning")).getAttribute("aria-invalid"))
        .isEqualTo("true");
    assertThat(queue.controls()).noneMatch(c -> c.queue().equals(q));

    browser.findElement(By.id("maxRunning")).clear();
    browser.findElement(By.id("maxRunning")).sendKeys("3");
    assertThat(act("set-limits")).contains("at most 3 running");
    assertThat(queue.controls())
        .anySatisfy(
            c -> {
              assertThat(c.queue()).isEqualTo(q);
              assertThat(c.limits().maxRunning()).isEqualTo(3);
            });
  }

  @Test
  void schedulesAndReportsPagesList() {
    String name = "console-schedule-" + System.nanoTime();
    jdbc.sql(
            "INSERT INTO conveyor.recurring_schedule (name, cron, kind, queue, next_run_at)"
                + " VALUES (:name, '0 0 * * * *', :kind, 'console-schedules', now() + interval '1 hour')")
        .param("name", name)
        .param("kind", KIND)
        .update();
    signIn(newClient(Role.ADMIN).key());

    browser.get(url("/console/schedules"));
    assertThat(text("tr[data-schedule='" + name + "']")).contains("never ran");
    find(By.cssSelector("tr[data-schedule='" + name + "'] form[action$='/run-now'] button"))
        .click();
    find(By.id("confirm")).click();
    assertThat(text("#result")).contains("enqueued job");
    assertThat(text("tr[data-schedule='" + name + "']")).contains("available (job");
    screenshot("schedules");

    browser.get(url("/console/reports"));
    assertThat(browser.findElement(By.id("reports")).isDisplayed()).isTrue();
    screenshot("reports");
    jdbc.sql("DELETE FROM conveyor.recurring_schedule WHERE name = :name")
        .param("name", name)
        .update();
  }

  @Test
  void aClientKeyIsRefusedAtSignIn() {
    Api client = newClient(Role.CLIENT);
    signIn(client.key());

    assertThat(text("#sign-in-error")).contains("not an admin key");
    assertThat(browser.getCurrentUrl()).contains("/console/sign-in");
    screenshot("sign-in-refused");
    browser.get(url("/console"));
    assertThat(browser.getCurrentUrl()).contains("/console/sign-in");
  }

  @Test
  void anActionWithoutTheCsrfTokenIsRefusedAndChangesNothing() throws Exception {
    String q = "console-csrf-" + System.nanoTime();
    signIn(newClient(Role.ADMIN).key());
    browser.get(url("/console/queues/" + q));
    Cookie session = browser.manage().getCookieNamed("JSESSIONID");
    assertThat(session).isNotNull();

    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url("/console/queues/" + q + "/pause")))
                    .header("Cookie", "JSESSIONID=" + session.getValue())
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("confirmed=yes"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(queue.controls()).noneMatch(c -> c.queue().equals(q));
    assertThat(
            jdbc.sql("SELECT count(*) FROM console_audit WHERE target = :q")
                .param("q", q)
                .query(Long.class)
                .single())
        .isZero();
    // The same session with the page's own form (and its token) may.
    assertThat(act("pause-queue")).contains("is paused");
  }
}
