package dev.conveyor.api.callback;

import dev.conveyor.api.ApiProperties;
import dev.conveyor.api.Traces;
import dev.conveyor.api.report.EventOutcome;
import dev.conveyor.api.web.ApiException;
import dev.conveyor.api.web.ProblemType;
import dev.conveyor.contract.InvalidSignatureException;
import dev.conveyor.contract.ReportEvent;
import dev.conveyor.contract.StandardWebhooks;
import dev.conveyor.contract.WebhookVerifier;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import java.time.InstantSource;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker's callbacks. The signature is checked on the raw body before anything is parsed; a
 * bad, missing or stale one is a 401 and changes nothing. A verified event is answered 200 with
 * {@code {applied, reason?, status?}}, refused or not, so the worker stops retrying it.
 */
@RestController
class ReportEventController {

  private static final Logger log = LoggerFactory.getLogger(ReportEventController.class);

  private final WebhookVerifier verifier;
  private final CallbackProcessor processor;
  private final ObjectReader events;

  ReportEventController(ApiProperties properties, CallbackProcessor processor, JsonMapper json) {
    ApiProperties.Callbacks config = properties.callbacks();
    this.verifier =
        new WebhookVerifier(
            Objects.requireNonNull(config.secrets()),
            Objects.requireNonNull(config.tolerance()),
            InstantSource.system());
    this.processor = processor;
    // Lenient about fields it does not know, unlike client requests: a newer worker may add
    // fields, and refusing its callbacks (a 4xx is permanent for the sender) would lose events.
    this.events =
        json.readerFor(ReportEvent.class)
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    if (!verifier.hasSecrets()) {
      log.warn(
          "No conveyor.api.callbacks.secrets configured: every worker callback will be refused");
    }
  }

  @Operation(summary = "Worker events about reports (Standard Webhooks signed; no API key)")
  @SecurityRequirements
  @PostMapping(
      path = "/internal/report-events",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  EventOutcome receive(
      @RequestHeader(name = StandardWebhooks.ID, required = false) @Nullable String id,
      @RequestHeader(name = StandardWebhooks.TIMESTAMP, required = false)
          @Nullable String timestamp,
      @RequestHeader(name = StandardWebhooks.SIGNATURE, required = false)
          @Nullable String signature,
      @RequestBody byte[] body) {
    try {
      verifier.verify(id, timestamp, signature, body);
    } catch (InvalidSignatureException e) {
      log.warn("Refused a callback: {}", e.getMessage());
      throw new ApiException(ProblemType.INVALID_SIGNATURE, e.getMessage());
    }
    ReportEvent event = events.readValue(body);
    UUID reportId = event.reportId();
    Long jobId = event.jobId();
    if (reportId != null && jobId != null) {
      Traces.report(reportId, jobId);
    }
    return processor.process(Objects.requireNonNull(id), event);
  }
}
