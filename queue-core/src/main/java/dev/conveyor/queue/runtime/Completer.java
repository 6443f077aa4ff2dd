package dev.conveyor.queue.runtime;

import dev.conveyor.queue.jdbc.JobRepository;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes completions in batches: whatever finished while the previous write was in flight goes into
 * the next statement, so a busy worker completes hundreds of jobs per round trip and an idle one
 * still completes each job at once. A failed write (database down) is retried with backoff until it
 * succeeds or the worker stops; the jobs stay held (and their leases renewed) until then.
 */
final class Completer implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(Completer.class);

  private final JobRepository repository;
  private final int maxBatch;
  private final BiConsumer<RunningJob, Boolean> recorded;
  private final LinkedBlockingQueue<RunningJob> pending = new LinkedBlockingQueue<>();
  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
  private volatile boolean draining;
  private volatile boolean abandoned;

  /**
   * @param recorded called per job once its completion was written ({@code true}) or refused by the
   *     fence ({@code false})
   */
  Completer(JobRepository repository, int maxBatch, BiConsumer<RunningJob, Boolean> recorded) {
    this.repository = repository;
    this.maxBatch = maxBatch;
    this.recorded = recorded;
  }

  void submit(RunningJob job) {
    pending.add(job);
  }

  /** Finish what is queued, then end. */
  void drain() {
    draining = true;
  }

  /** Stop retrying: the worker is being torn down and the leases will expire. */
  void abandon() {
    abandoned = true;
  }

  int backlog() {
    return pending.size();
  }

  @Override
  public void run() {
    List<RunningJob> batch = new ArrayList<>();
    try {
      while (!(draining && pending.isEmpty()) && !abandoned) {
        RunningJob first = pending.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        pending.drainTo(batch, maxBatch - 1);
        write(batch);
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void write(List<RunningJob> batch) throws InterruptedException {
    Long[] ids = new Long[batch.size()];
    UUID[] tokens = new UUID[batch.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = batch.get(i).job().id();
      tokens[i] = batch.get(i).token();
    }
    while (!abandoned) {
      try {
        Set<Long> completed = repository.completeMany(ids, tokens);
        backoff.reset();
        for (RunningJob job : batch) {
          recorded.accept(job, completed.contains(job.job().id()));
        }
        return;
      } catch (RuntimeException e) {
        log.error("recording {} completions failed; retrying", batch.size(), e);
        Thread.sleep(backoff.next());
      }
    }
  }
}
