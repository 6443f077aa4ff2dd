package dev.conveyor.worker.callback;

import dev.conveyor.queue.JobQueue;
import dev.conveyor.worker.WorkerServiceProperties;
import java.time.InstantSource;
import tools.jackson.databind.json.JsonMapper;

/** Builds {@link ReportEvents} for tests of other packages. */
public final class TestReportEvents {

  private TestReportEvents() {}

  public static ReportEvents create(
      WorkerServiceProperties properties, JobQueue queue, JsonMapper json) {
    return new ReportEvents(
        new CallbackSender(properties, new DeliveryRules(InstantSource.system())),
        queue,
        json,
        properties);
  }
}
