package dev.conveyor.examples.campaign;

import dev.conveyor.queue.JobContext;
import dev.conveyor.queue.JobHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The recurring cleanup ({@value #KIND}, see {@link QueueSetup#cleanupSchedule(String)}): deletes
 * the campaigns that finished more than {@code campaign.cleanup.retention} ago, with their
 * messages, in batches. Campaigns still sending are kept however old. The queue's own finished jobs
 * are the queue's pruner's business ({@code conveyor.queue.pruner.*}).
 */
@Component
class CleanupHandler implements JobHandler {

  static final String KIND = "campaign.cleanup";

  static final int BATCH = 500;

  private static final Logger log = LoggerFactory.getLogger(CleanupHandler.class);

  private final CampaignRepository repository;
  private final CampaignSettings settings;

  CleanupHandler(CampaignRepository repository, CampaignSettings settings) {
    this.repository = repository;
    this.settings = settings;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public void handle(JobContext context) {
    int total = 0;
    int deleted;
    do {
      context.throwIfCancellationRequested();
      deleted = repository.deleteFinishedCampaigns(settings.cleanup().retention(), BATCH);
      total += deleted;
    } while (deleted == BATCH);
    log.info(
        "cleanup deleted {} campaigns finished more than {} ago",
        total,
        settings.cleanup().retention());
  }
}
