package dev.conveyor.examples.campaign;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The example's settings, {@code campaign.*}. A bad value stops the start-up naming the property.
 *
 * @param endpoint where messages are POSTed (JSON {@code {messageId, recipient, text}})
 * @param rateLimit the endpoint's limit: at most this many messages in any {@code ratePeriod},
 *     across every worker; default 20
 * @param ratePeriod the window of {@code rateLimit}; default 1 s
 * @param rateMargin added to {@code ratePeriod} in the queue's own limit: the queue counts job
 *     starts, the endpoint counts arrivals, which follow their starts by a delay that varies (the
 *     claim's commit, the handler's scheduling, the HTTP round trip). With the margin, the starts
 *     of any {@code ratePeriod + rateMargin} stay within the limit, so the endpoint sees at most
 *     {@code rateLimit} in any {@code ratePeriod} as long as the delays vary by less than the
 *     margin; default 250 ms, 0 to switch it off
 * @param sendTimeout how long one send may take before it is retried; default 10 s
 * @param cleanup the recurring cleanup, see {@link Cleanup}
 */
@ConfigurationProperties("campaign")
@Validated
record CampaignSettings(
    @NotNull URI endpoint,
    @DefaultValue("20") @Min(1) @Max(10_000) int rateLimit,
    @DefaultValue("1s") @NotNull @DurationMin(millis = 1) Duration ratePeriod,
    @DefaultValue("250ms") @NotNull @DurationMin(millis = 0) Duration rateMargin,
    @DefaultValue("10s") @NotNull @DurationMin(millis = 1) Duration sendTimeout,
    @DefaultValue @Valid Cleanup cleanup) {

  /**
   * The recurring cleanup ({@code campaign.cleanup.*}).
   *
   * @param cron when it runs, in UTC: five cron fields (minute first) or six (second first), as
   *     queue-core's {@code Schedule} reads them; default {@code 0 0 3 * * *}, 03:00 daily
   * @param retention finished campaigns older than this are deleted with their messages; default 30
   *     days
   */
  record Cleanup(
      @DefaultValue("0 0 3 * * *") @NotNull String cron,
      @DefaultValue("30d") @NotNull @DurationMin(seconds = 1) Duration retention) {

    Cleanup {
      if (cron != null) {
        try {
          QueueSetup.cleanupSchedule(cron);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("campaign.cleanup.cron: " + e.getMessage(), e);
        }
      }
    }
  }
}
