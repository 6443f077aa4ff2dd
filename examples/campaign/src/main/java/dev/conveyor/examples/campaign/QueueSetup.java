package dev.conveyor.examples.campaign;

import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.JobRequest;
import dev.conveyor.queue.QueueControl.QueueLimits;
import dev.conveyor.queue.Schedule;
import dev.conveyor.queue.migrations.QueueMigrations;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The queues of the example, their limits, the recurring cleanup, and the schemas.
 *
 * <ul>
 *   <li>{@value #MESSAGES}: one send job per message, with cluster-wide limits: {@code
 *       campaign.rate-limit} starts per {@code campaign.rate-period} (plus {@code
 *       campaign.rate-margin}), and one running job per recipient (the jobs' partition key);
 *   <li>{@value #MAINTENANCE}: the cleanup, on a queue of its own so that neither the rate limit
 *       nor a pause of the messages holds it up.
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class QueueSetup {

  static final String MESSAGES = "campaign-messages";
  static final String MAINTENANCE = "campaign-maintenance";

  /** The cleanup, fired once per occurrence however many workers run. */
  static Schedule cleanupSchedule(String cron) {
    return Schedule.of(
        "campaign.cleanup", cron, JobRequest.of(CleanupHandler.KIND, "{}").withQueue(MAINTENANCE));
  }

  /** The limits of the messages queue: the rate with its margin, and one at a time per key. */
  static QueueLimits messageLimits(CampaignSettings settings) {
    return QueueLimits.NONE
        .withRate(settings.rateLimit(), settings.ratePeriod().plus(settings.rateMargin()))
        .withMaxRunningPerKey(1);
  }

  @Bean
  Schedule campaignCleanup(CampaignSettings settings) {
    return cleanupSchedule(settings.cleanup().cron());
  }

  /**
   * Stores the limits when every bean exists (after the migrations) and before the worker starts
   * claiming (a context lifecycle phase, later): no job of the queue ever runs unlimited. Stored in
   * the database, the limits bind every worker; the application owns them, so each start writes
   * them again (an operator's change lasts until the next deploy).
   */
  @Bean
  SmartInitializingSingleton campaignQueueLimits(JobQueue queue, CampaignSettings settings) {
    return () -> queue.setLimits(MESSAGES, messageLimits(settings));
  }

  /**
   * Applies the queue's schema ({@link QueueMigrations}: its own location and history table) and
   * then the application's own ({@code spring.flyway.*}: {@code classpath:db/campaign}, schema
   * {@code campaigns} with its own history), both before any bean uses the database.
   */
  @Bean
  FlywayMigrationStrategy queueSchemaThenOurs() {
    return flyway -> {
      QueueMigrations.migrate(flyway.getConfiguration().getDataSource());
      flyway.migrate();
    };
  }
}
