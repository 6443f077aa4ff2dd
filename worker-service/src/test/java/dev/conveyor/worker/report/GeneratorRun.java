package dev.conveyor.worker.report;

import dev.conveyor.contract.Secret;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.testsupport.TestDatabase;
import dev.conveyor.worker.WorkerServiceProperties;
import dev.conveyor.worker.callback.ReportEvents;
import dev.conveyor.worker.callback.TestReportEvents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs one registry-reading generator on the real database as the handler does (outside any
 * transaction), into memory: the file's bytes and the progress it reported.
 */
record GeneratorRun(byte[] bytes, List<Integer> progress) {

  static final TestDatabase db = TestDatabase.get();
  static final JsonMapper json = JsonMapper.builder().build();
  static final JdbcClient jdbc = JdbcClient.create(db.dataSource());
  static final TransactionTemplate tx =
      new TransactionTemplate(new DataSourceTransactionManager(db.dataSource()));

  /** Settings whose callbacks go nowhere (best-effort progress events fail quietly). */
  static WorkerServiceProperties properties(String callbacksQueue) {
    return new WorkerServiceProperties(
        URI.create("http://127.0.0.1:1"),
        new Secret("whsec_Y29udmV5b3ItZ29sZGVuLXZlY3Rvci1zZWNyZXQtMzI="),
        Duration.ofMillis(200),
        Duration.ofMillis(200),
        callbacksQueue,
        25,
        Duration.ofSeconds(1),
        100);
  }

  static GeneratorRun of(ReportGenerator generator, String format, String parameters) {
    return of(generator, format, parameters, false);
  }

  static GeneratorRun of(
      ReportGenerator generator, String format, String parameters, boolean cancelled) {
    UUID id = UUID.randomUUID();
    Report report = new Report(id, 0, generator.spec().type(), format, parameters, "PROCESSING");
    TestJobContext ctx = new TestJobContext(tx, id, 1, 5, cancelled);
    ReportEvents events =
        TestReportEvents.create(
            properties("callbacks-unused-" + System.nanoTime()),
            new JobQueue(db.dataSource()),
            json);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ReportProgress progress = new ReportProgress(ctx, id, events, Duration.ofSeconds(10));
    try {
      write(generator, report, out, progress);
      ctx.completeWithin(() -> null);
    } finally {
      TestJobContext.endAll();
    }
    return new GeneratorRun(out.toByteArray(), List.copyOf(ctx.progress));
  }

  private static @Nullable Void write(
      ReportGenerator generator,
      Report report,
      ByteArrayOutputStream out,
      ReportProgress progress) {
    try {
      generator.write(report, out, progress);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return null;
  }

  String text() {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
