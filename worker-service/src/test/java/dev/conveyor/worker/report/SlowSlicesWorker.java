package dev.conveyor.worker.report;

import dev.conveyor.worker.ArtifactSweepProperties;
import dev.conveyor.worker.ConveyorWorkerApplication;
import dev.conveyor.worker.VoterImportProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * The worker service with a pause after every registry slice a report reads ({@value #PAUSE} system
 * property, milliseconds; voterImport: after every slice applied), so that a test can watch a long
 * report deterministically, in a process of its own that it can kill. Also the test's access to the
 * sweep.
 */
public final class SlowSlicesWorker {

  public static final String PAUSE = "conveyor.test.slice-pause-millis";

  private SlowSlicesWorker() {}

  public static void main(String[] args) {
    Duration pause = Duration.ofMillis(Long.getLong(PAUSE, 0));
    // Registered by hand, not scanned: the other tests' workers must not be slowed.
    RegistryAccess.SliceObserver slow = rows -> LockSupport.parkNanos(pause.toNanos());
    new SpringApplicationBuilder(ConveyorWorkerApplication.class)
        .initializers(
            (ConfigurableApplicationContext c) ->
                c.getBeanFactory().registerSingleton("slowSlices", slow))
        .run(args);
  }

  /** One sweep of unstored files whose attempt no longer runs, as the workers run it; files. */
  public static int sweep(DataSource dataSource) {
    return sweeper(dataSource).sweepNow();
  }

  /**
   * One sweep of voterImport staging rows of jobs that will not run again, as the workers run it.
   */
  public static long sweepImportStaging(DataSource dataSource) {
    return sweeper(dataSource).sweepImportStagingNow();
  }

  private static ArtifactSweeper sweeper(DataSource dataSource) {
    JdbcClient jdbc = JdbcClient.create(dataSource);
    DataSourceTransactionManager transactions = new DataSourceTransactionManager(dataSource);
    return new ArtifactSweeper(
        new ArtifactRepository(jdbc, transactions),
        new ArtifactSweepProperties(Duration.ofMinutes(1), 20, 50),
        new ImportStagingRepository(jdbc),
        new VoterImportProperties(2_000),
        transactions,
        new SimpleMeterRegistry());
  }
}
