/**
 * Worker-to-API events: Standard Webhooks signing, best-effort sends ({@code report.started},
 * {@code report.progress}) and durable ones through {@code callback.deliver} jobs, retried until
 * the API answers.
 */
@NullMarked
package dev.conveyor.worker.callback;

import org.jspecify.annotations.NullMarked;
