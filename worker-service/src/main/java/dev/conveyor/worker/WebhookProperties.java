package dev.conveyor.worker;

import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Client webhooks ({@code conveyor.worker-service.webhooks.*}, environment {@code
 * CONVEYOR_WORKER_SERVICE_WEBHOOKS_*}).
 *
 * @param allowPrivateAddresses whether a report's {@code callbackUrl} may point at loopback,
 *     private, link-local, unique-local, CGNAT, multicast or unspecified addresses; {@code false}
 *     by default, so that a client cannot make the worker reach into its own network. Set it to
 *     {@code true} for local development only
 * @param giveUpAfter how long after the webhook was enqueued a receiver's {@code Retry-After} is
 *     still honoured; 72 hours by default. A {@code Retry-After} snoozes the delivery without
 *     spending an attempt, so a receiver that always answers 503 or 429 with one would otherwise
 *     keep its webhook alive for ever; past this age such an answer ends the delivery for good
 *     (visible in the admin job list). Failures without {@code Retry-After} are bounded by the
 *     attempts instead
 */
@Validated
@ConfigurationProperties("conveyor.worker-service.webhooks")
public record WebhookProperties(
    @DefaultValue("false") boolean allowPrivateAddresses,
    @DefaultValue("72h") @DurationMin(nanos = 0, inclusive = false) Duration giveUpAfter) {}
