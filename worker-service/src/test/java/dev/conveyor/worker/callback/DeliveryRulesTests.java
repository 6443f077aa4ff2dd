package dev.conveyor.worker.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.queue.JobFailure;
import java.net.URI;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

class DeliveryRulesTests {

  final DeliveryRules rules = new DeliveryRules(InstantSource.system());

  /**
   * A snooze spends no attempt, so a zero one would run the delivery again at once, and again, as
   * fast as the receiver answers.
   */
  @Test
  void aRetryAfterOfZeroOrInThePastStillWaitsAMoment() {
    URI url = URI.create("https://hooks.example.com/in");
    for (String retryAfter : new String[] {"0", "Wed, 21 Oct 2015 07:28:00 GMT", "-5"}) {
      assertThatThrownBy(() -> rules.apply(url, 503, retryAfter, "busy"))
          .as(retryAfter)
          .isInstanceOfSatisfying(
              JobFailure.Snooze.class,
              s -> assertThat(s.delay()).isEqualTo(DeliveryRules.MIN_SNOOZE));
    }
  }

  @Test
  void aRetryAfterBeyondTheCapIsCappedWhateverItsSize() {
    URI url = URI.create("https://hooks.example.com/in");
    for (String retryAfter :
        new String[] {"7200", "99999999999999999999", "Fri, 01 Jan 9999 00:00:00 GMT"}) {
      assertThatThrownBy(() -> rules.apply(url, 429, retryAfter, ""))
          .as(retryAfter)
          .isInstanceOfSatisfying(
              JobFailure.Snooze.class,
              s -> assertThat(s.delay()).isEqualTo(DeliveryRules.MAX_SNOOZE));
    }
  }

  @Test
  void aClientsTokenInTheQueryNeverReachesTheJobsErrors() {
    URI url = URI.create("https://hooks.example.com:8443/in/conveyor?token=s3cret#frag");

    assertThat(DeliveryRules.shown(url)).isEqualTo("https://hooks.example.com:8443/in/conveyor?…");
    assertThat(DeliveryRules.shown(URI.create("https://user:pw@example.com/hook")))
        .isEqualTo("https://example.com/hook");
    assertThatThrownBy(() -> rules.apply(url, 503, null, "busy"))
        .isInstanceOf(DeliveryFailedException.class)
        .hasMessage("https://hooks.example.com:8443/in/conveyor?… answered 503: busy");
    assertThatThrownBy(() -> rules.apply(url, 404, null, "no such hook"))
        .isInstanceOf(JobFailure.Permanent.class)
        .hasMessageNotContaining("s3cret")
        .hasMessageContaining("refused the message with 404");
  }
}
