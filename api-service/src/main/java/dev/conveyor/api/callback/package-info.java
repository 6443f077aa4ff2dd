/**
 * The worker's signed callbacks ({@code POST /internal/report-events}): Standard Webhooks signature
 * verification ({@link WebhookVerifier}), replay detection by {@code webhook-id} ({@code
 * webhook_receipts}, pruned after a retention), then the report lifecycle applies the event.
 */
@NullMarked
package dev.conveyor.api.callback;

import org.jspecify.annotations.NullMarked;
