package dev.conveyor.queue.maintenance;

import dev.conveyor.queue.jdbc.JobRepository;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps PostgreSQL's statistics of {@code conveyor.queue_job} from falling far behind the table, so
 * that workers do not keep plans made for a table a fraction of its size.
 *
 * <p>A worker's claim is server-prepared, and PostgreSQL keeps the generic plan it made for it
 * until the table's statistics change (the batched completions are planned at each execution). A
 * worker that started on a nearly empty table (a new install, a truncated one) got a claim plan
 * that read the whole table, and kept it while the table grew, until autovacuum's ANALYZE (within
 * {@code autovacuum_naptime}, a minute by default): at 2,000 rows the claim took 1.8 ms instead of
 * 0.8. So every {@link #DEFAULT_INTERVAL} this checks whether the table has grown to more than
 * {@value #GROWTH} times the size its statistics were taken at (and at least {@value #MIN_PAGES}
 * pages, 512 kB), and if so runs ANALYZE, which makes every session plan again. It waits at most
 * 100 ms for the table's lock (never holding up a VACUUM or another worker's ANALYZE), and analyzes
 * only when this role may ANALYZE the table. Safe to run in every worker at once: one reading of
 * {@code pg_class} per interval each, and the table's growth bounds the ANALYZEs (each one resets
 * the size the next is compared to).
 */
public final class PlannerStatistics {

  private static final Logger log = LoggerFactory.getLogger(PlannerStatistics.class);

  /** Default time between checks. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

  /** Below this many pages a whole-table plan costs little. */
  static final long MIN_PAGES = 64;

  /** How many times its analyzed size the table must have grown to. */
  static final int GROWTH = 4;

  private static final Duration LOCK_TIMEOUT = Duration.ofMillis(100);

  private final JobRepository repository;
  private final PeriodicTask task;

  public PlannerStatistics(JobRepository repository, Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("statistics check interval must be positive");
    }
    this.repository = repository;
    this.task = new PeriodicTask("conveyor-statistics", interval, this::checkNow);
  }

  public void start() {
    task.start();
  }

  public void stop() {
    task.stop();
  }

  /** One check; true when it analyzed the table. */
  public boolean checkNow() {
    if (!repository.queueStatisticsStale(MIN_PAGES, GROWTH)) {
      return false;
    }
    boolean analyzed = repository.analyzeQueueTable(LOCK_TIMEOUT);
    if (analyzed) {
      log.info("conveyor.queue_job had outgrown its statistics; analyzed it");
    } else {
      log.debug("conveyor.queue_job is locked (VACUUM or ANALYZE); analyzing it next time");
    }
    return analyzed;
  }
}
