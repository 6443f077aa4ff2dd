/**
 * Worker-to-API events: Standard Webhooks signing, best-effort sends ({@code report.started},
 * {@code report.progress}) and durable ones through {@code callback.deliver} jobs, retried until
 * the API answers. Client webhooks ({@code webhook.deliver}) go out through their own client, which
 * refuses non-public addresses ({@code AddressPolicy}) on the addresses it connects to.
 */
@NullMarked
package dev.conveyor.worker.callback;

import org.jspecify.annotations.NullMarked;
