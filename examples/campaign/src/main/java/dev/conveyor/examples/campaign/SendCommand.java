package dev.conveyor.examples.campaign;

import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Starts a campaign from the command line: {@code --text='Hello' --to=alice,bob,carol [--name=…]}.
 * Without {@code --to} the application only works off the queue.
 */
@Component
class SendCommand implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(SendCommand.class);

  private final Campaigns campaigns;

  SendCommand(Campaigns campaigns) {
    this.campaigns = campaigns;
  }

  @Override
  public void run(ApplicationArguments args) {
    List<String> to = args.getOptionValues("to");
    if (to == null || to.isEmpty()) {
      return;
    }
    List<String> recipients =
        to.stream().flatMap(v -> Arrays.stream(v.split(","))).filter(r -> !r.isBlank()).toList();
    String text = single(args, "text", null);
    String name = single(args, "name", "campaign from the command line");
    Campaigns.Started started = campaigns.start(name, text, recipients);
    log.info(
        "campaign {} started: {} messages queued", started.campaignId(), started.messages().size());
  }

  private static String single(
      ApplicationArguments args, String option, @Nullable String fallback) {
    List<String> values = args.getOptionValues(option);
    if (values == null || values.isEmpty()) {
      if (fallback == null) {
        throw new IllegalArgumentException("--" + option + " is required with --to");
      }
      return fallback;
    }
    return values.getFirst();
  }
}
