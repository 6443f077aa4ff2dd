package dev.conveyor.worker;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Client webhooks ({@code conveyor.worker-service.webhooks.*}, environment {@code
 * CONVEYOR_WORKER_SERVICE_WEBHOOKS_*}).
 *
 * @param allowPrivateAddresses whether a report's {@code callbackUrl} may point at loopback,
 *     private, link-local, unique-local, CGNAT, multicast or unspecified addresses; {@code false}
 *     by default, so that a client cannot make the worker reach into its own network. Set it to
 *     {@code true} for local development only
 */
@ConfigurationProperties("conveyor.worker-service.webhooks")
public record WebhookProperties(@DefaultValue("false") boolean allowPrivateAddresses) {}
