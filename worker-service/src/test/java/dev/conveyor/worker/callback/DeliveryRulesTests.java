package dev.conveyor.worker.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.queue.JobFailure;
import java.net.URI;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

class DeliveryRulesTests {

  final DeliveryRules rules = new DeliveryRules(InstantSource.system());

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
